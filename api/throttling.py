from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """Limit each API client, by its own id, to API_THROTTLE_RATE requests (429 beyond).

    Counts live in Django's cache: per process with the default local-memory cache, so
    with N workers a client gets at most N times the rate; a shared cache makes it exact.
    """

    scope = "api_client"

    def get_cache_key(self, request, view):
        client = request.auth
        if client is None:
            return None  # refused at authentication anyway
        # The hash too: a new client never inherits the count of a deleted one with its id.
        ident = f"{client.pk}-{client.token_hash[:16]}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
