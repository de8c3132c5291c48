"""Make an API client: a user with one officer role, and a token shown once."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from api.models import ApiClient, hash_token, new_token
from otopdoc.models import Officer, Role
from otopdoc.officers import OfficerError, _area

USERNAME_PREFIX = "api-"


@transaction.atomic
def create_api_client(name, role, area_code=None, days=None):
    """Create a client scoped like an officer; return (client, token).

    Steps:
    1. Check the role and find its area, as for an officer (otopdoc.officers).
    2. Create the client's user, named "api-NAME", without a usable password, and its
       Officer role: every scope check of the pages then applies to the client as is.
    3. Keep only the token's hash; the token itself is returned to be shown once.
    """
    if role not in Role.values:
        raise OfficerError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    area = _area(role, area_code)
    name = (name or "").strip()
    username = USERNAME_PREFIX + name
    User = get_user_model()
    if not name or len(username) > 150:
        raise OfficerError("A client needs a name of 1 to 146 characters.")
    if ApiClient.objects.filter(name=name).exists() or User.objects.filter(username=username):
        raise OfficerError(f"Client name {name!r} is already taken.")
    user = User(username=username, first_name=f"API: {name}"[:150])
    user.set_unusable_password()
    user.save()
    Officer.objects.create(user=user, role=role, **area)
    token = new_token()
    days = settings.API_TOKEN_DAYS if days is None else days
    client = ApiClient.objects.create(
        name=name,
        user=user,
        token_hash=hash_token(token),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return client, token
