"""Passwords are stored as Argon2id at OWASP's minimum profile; PBKDF2 hashes upgrade at sign-in.

The suite hashes with MD5 for speed (otopdoc/test_settings.py); these tests put the
production list back.
"""

import pytest
from django.contrib.auth import get_user_model, hashers
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings

from otopdoc import settings as production
from tests.conftest import PASSWORD

User = get_user_model()
ARGON2ID_OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        yield


def test_new_passwords_are_argon2id_at_19_mib_2_passes_1_lane(production_hashers):
    encoded = make_password("ดอยตุง-coffee-57")
    assert encoded.startswith(ARGON2ID_OWASP)
    assert identify_hasher(encoded).algorithm == "argon2"


def test_a_pbkdf2_password_signs_in_and_is_rehashed_as_argon2id(
    client, officers, production_hashers
):
    officer = officers["owner"]
    officer.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    officer.save(update_fields=["password"])

    response = client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.password.startswith(ARGON2ID_OWASP)


def test_an_argon2_hash_of_other_parameters_is_upgraded_at_sign_in(
    client, officers, production_hashers
):
    # Django's own defaults (100 MiB, 8 lanes): what a hash from a Django default would have.
    officer = officers["owner"]
    django_default = hashers.Argon2PasswordHasher()
    officer.password = django_default.encode(PASSWORD, django_default.salt())
    assert not officer.password.startswith(ARGON2ID_OWASP)
    officer.save(update_fields=["password"])

    client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})

    officer.refresh_from_db()
    assert officer.password.startswith(ARGON2ID_OWASP)


def test_a_wrong_password_is_refused_and_the_old_hash_is_kept(client, officers, production_hashers):
    officer = officers["owner"]
    officer.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    officer.save(update_fields=["password"])

    response = client.post(
        "/accounts/login/", {"username": officer.username, "password": "not-the-password-1"}
    )

    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.password.startswith("pbkdf2_sha256$")
