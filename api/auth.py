"""Bearer tokens of API clients: `Authorization: Bearer otop_...`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import ApiClient, hash_token

REFUSED = "โทเค็นไม่ถูกต้อง หมดอายุ หรือถูกเพิกถอนแล้ว โปรดขอโทเค็นใหม่จากผู้ดูแลระบบ"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Find the client by the hash of its token; refuse revoked and expired tokens (401).

    One query: the client with its user, officer and area, which every scope check reads.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, token = header.partition(" ")
        token = token.strip()
        if keyword.lower() != self.keyword.lower() or not token or " " in token:
            raise exceptions.AuthenticationFailed("ส่งโทเค็นในรูปแบบ Authorization: Bearer <โทเค็น>")
        client = (
            ApiClient.objects.usable()
            .select_related(
                "user__officer__district__province__cluster", "user__officer__province__cluster"
            )
            .filter(token_hash=hash_token(token))
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed(REFUSED)
        return client.user, client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "โทเค็นจาก `python manage.py create_api_client` "
            "(the token printed by create_api_client)",
        }
