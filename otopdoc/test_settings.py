"""Settings for the test suite: production settings with a test key and fast hashing.

DATABASE_URL still comes from the environment, so `.ci/run` tests on PostgreSQL too.
"""

import copy
import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Off in tests but the two-factor tests, which turn it on (tests/test_two_factor.py).
os.environ.setdefault("OTOP_REQUIRE_2FA", "0")

from otopdoc.settings import *  # noqa: E402, F403
from otopdoc.settings import DATABASES, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests serve static files from the finders; no collectstatic run is needed.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A "replica" alias that is the test database itself, for tests/test_db_router.py, which turns
# the router on. Every other test reads and writes "default" only: a second connection cannot
# see the rows a test writes inside its own transaction.
DATABASES = {
    **DATABASES,
    "replica": {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}},
}
DATABASE_ROUTERS = []
