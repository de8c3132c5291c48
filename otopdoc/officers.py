"""Create officer accounts: one user and its one role, together or not at all."""

import secrets
import string

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from otopdoc.models import Officer, Role
from sales.models import District, Province


class OfficerError(Exception):
    """A reason an account cannot be created, said so an administrator can fix it."""


def _area(role, code):
    if role == Role.DEPARTMENT:
        if code:
            raise OfficerError("Department officers have no area; leave out --area.")
        return {}
    if not code:
        raise OfficerError(f"A {role} officer needs --area.")
    if role == Role.DISTRICT:
        district = District.objects.filter(pk=code).first()
        if district is None:
            raise OfficerError(f"No district has code {code!r} (4 digits, e.g. 5701).")
        return {"district": district}
    province = Province.objects.filter(pk=code).first()
    if province is None:
        raise OfficerError(f"No province has code {code!r} (2 digits, e.g. 57).")
    return {"province": province}


@transaction.atomic
def create_officer(username, password, role, area_code=None):
    """Create a user with one officer role.

    Steps:
    1. Check the role is one of district, province, department.
    2. Find the area its role needs (none for the department).
    3. Refuse a user name already taken, and a password the validators refuse.
    4. Create the user and its Officer in one transaction.
    """
    if role not in Role.values:
        raise OfficerError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    area = _area(role, area_code)
    User = get_user_model()
    if not username or User.objects.filter(username=username).exists():
        raise OfficerError(f"User name {username!r} is empty or already taken.")
    if not password:
        raise OfficerError("A password is required.")
    try:
        validate_password(password, user=User(username=username))
    except ValidationError as error:
        raise OfficerError(f"Weak password, choose another: {' '.join(error.messages)}") from None
    user = User.objects.create_user(username=username, password=password)
    return Officer.objects.create(user=user, role=role, **area)


def random_password(length=14):
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
