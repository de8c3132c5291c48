"""The client's address behind nginx, for django-axes' sign-in throttle."""


def client_ip(request):
    """Return the address nginx put last in X-Forwarded-For, else REMOTE_ADDR.

    Behind a proxy REMOTE_ADDR is the proxy's own address, so every officer would share one
    lockout per user name. nginx appends the address it saw to X-Forwarded-For; what comes
    before it was written by the client and proves nothing.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")
