"""Settings of the OTOP sales data centre, read from the environment.

Everything a deployment changes comes from an environment variable read through
otopdoc.env, which refuses values that make no sense instead of guessing.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from otopdoc.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-never-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "otopdoc",
    "sales",
    "confirmations",
    "reports",
    "notifications",
    "quality",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "privacy",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "otopdoc.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "otopdoc.twofactor.TwoFactorMiddleware",
    "otopdoc.middleware.PrivateNoStoreMiddleware",
    "privacy.records.ExcelDownloadLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "otopdoc.middleware.CalendarLockMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "otopdoc.urls"
WSGI_APPLICATION = "otopdoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "otopdoc.context_processors.officer",
                "notifications.context_processors.bell",
            ],
            "builtins": ["otopdoc.templatetags.thai"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "otopdoc.db.sqlite3"
    # Take the write lock when a transaction starts and wait up to 20 s for another writer,
    # instead of failing at once when two officers save together.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
# A PostgreSQL read replica for the reports (otopdoc.db.router): their reads go there, every
# write and every other read to the primary. Tests use the primary's database for it.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {
        "django.db.backends.postgresql"
    }:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL, and DATABASE_URL too.")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["otopdoc.db.router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The national pages' cache (reports.versions): the KPI table and the KPI and RT.4 workbooks,
# kept per version of the running totals. Unset, each process keeps its own (LocMemCache).
# With several app servers set CACHE_URL to one shared cache: redis://host:6379/1 (needs the
# redis package) or memcached://host:11211 (needs pymemcache); docs/deploy.md.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("memcached://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": CACHE_URL.removeprefix("memcached://"),
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must start with redis://, rediss:// or memcached://.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# OfficerBackend is Django's ModelBackend reading the user with its officer in one query.
# A session names its backend: sessions signed in before it came are asked to sign in again.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "otopdoc.backends.OfficerBackend",
]
# Argon2id first (otopdoc.passwords.Argon2idHasher); PBKDF2 stays to verify the hashes made
# before it, which Django upgrades to Argon2id at each officer's next sign-in.
PASSWORD_HASHERS = [
    "otopdoc.passwords.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Django's rules with Thai messages (Django's Thai translation leaves them in English).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "otopdoc.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "otopdoc.passwords.MinimumLengthValidator"},
    {"NAME": "otopdoc.passwords.CommonPasswordValidator"},
    {"NAME": "otopdoc.passwords.NumericPasswordValidator"},
]
# The entry page posts a whole month: up to 2,000 rows of 9 fields each.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 25_000
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five failed sign-ins for one user name from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# A second factor (TOTP, otopdoc.twofactor) for department officers and staff: on by default
# in production, off with DEBUG (make run) unless set.
OTOP_REQUIRE_2FA = env_bool("OTOP_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "OTOP กรมการพัฒนาชุมชน"
# One address may fail this many sign-ins across all user names in the cool-off time
# (otopdoc.throttle): an office shares one address, so this is well above one officer's 5.
OTOP_ADDRESS_FAILURE_LIMIT = env_int("OTOP_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_VERBOSE = False
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
# Behind nginx every request comes from 127.0.0.1: count failures by the address nginx saw.
if BEHIND_PROXY:
    AXES_CLIENT_IP_CALLABLE = "otopdoc.proxy.client_ip"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย")]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `runserver` serve straight from the finders; a deployment runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The monthly calendar (SPEC section 3): districts confirm by the deadline day of the next
# month; from the close day to the day before the open day districts and provinces cannot
# write while the department compiles the figures.
OTOP_DEADLINE_DAY = env_int("OTOP_DEADLINE_DAY", 5, minimum=1, maximum=27)
OTOP_CLOSE_DAY = env_int("OTOP_CLOSE_DAY", 6, minimum=1, maximum=28)
OTOP_OPEN_DAY = env_int("OTOP_OPEN_DAY", 10, minimum=1, maximum=28)
# The longest the department may re-open a closed month for, counted from the grant.
OTOP_EXCEPTION_MAX_DAYS = env_int("OTOP_EXCEPTION_MAX_DAYS", 90, minimum=1, maximum=366)
if not OTOP_DEADLINE_DAY < OTOP_CLOSE_DAY < OTOP_OPEN_DAY:
    raise ImproperlyConfigured("Need OTOP_DEADLINE_DAY < OTOP_CLOSE_DAY < OTOP_OPEN_DAY.")

# Notifications (notifications/, docs/deploy.md): links in messages start with SITE_URL;
# reminders go out these many days before the deadline day, the province's list of open
# districts this many days before it, the department's summary on this weekday (0 = Monday)
# from this hour, Asia/Bangkok.
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_reminder_days = env_list("NOTIFY_REMINDER_DAYS", default=["3", "1"])
if not _reminder_days or not all(day.isdigit() and int(day) <= 27 for day in _reminder_days):
    raise ImproperlyConfigured("NOTIFY_REMINDER_DAYS is days before the deadline, e.g. 3,1.")
NOTIFY_REMINDER_DAYS = sorted({int(day) for day in _reminder_days}, reverse=True)
NOTIFY_PROVINCE_REMINDER_DAYS = env_int("NOTIFY_PROVINCE_REMINDER_DAYS", 1, minimum=0, maximum=27)
NOTIFY_WEEKLY_WEEKDAY = env_int("NOTIFY_WEEKLY_WEEKDAY", 0, minimum=0, maximum=6)
NOTIFY_WEEKLY_HOUR = env_int("NOTIFY_WEEKLY_HOUR", 8, minimum=0, maximum=23)
# A delivery that fails is tried again after NOTIFY_RETRY_SECONDS, doubling each time, and
# given up (its error kept) after NOTIFY_MAX_ATTEMPTS tries.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1, maximum=50)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)
NOTIFY_LOOP_SECONDS = env_int("NOTIFY_LOOP_SECONDS", 60, minimum=1)
# E-mail through Django's SMTP backend.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="otop@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# LINE through the Messaging API's push endpoint (LINE Notify closed on 31 March 2025).
LINE_API_BASE_URL = env_str("LINE_API_BASE_URL", default="https://api.line.me").rstrip("/")
LINE_CHANNEL_ACCESS_TOKEN = env_str("LINE_CHANNEL_ACCESS_TOKEN", default="")
LINE_TIMEOUT = env_int("LINE_TIMEOUT", 20, minimum=1)
# Outliers by each producer's own history (quality.outliers): a row is marked when its
# modified z-score passes OTOP_OUTLIER_Z (Iglewicz and Hoaglin's 3.5), over the history of
# the last OTOP_OUTLIER_WINDOW months; with fewer than OTOP_OUTLIER_MIN_HISTORY months the
# ten-times rule holds instead.
OTOP_OUTLIER_Z = env_str("OTOP_OUTLIER_Z", default="3.5")
try:
    if not 1 <= float(OTOP_OUTLIER_Z) <= 100:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(f"OTOP_OUTLIER_Z={OTOP_OUTLIER_Z!r} is not from 1 to 100.") from None
OTOP_OUTLIER_WINDOW = env_int("OTOP_OUTLIER_WINDOW", 24, minimum=12, maximum=24)
OTOP_OUTLIER_MIN_HISTORY = env_int("OTOP_OUTLIER_MIN_HISTORY", 6, minimum=2, maximum=12)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None

# The JSON API (api/, docs/api.md): Bearer tokens of API clients only (no sessions, so no
# CSRF), JSON only, errors as problem details, each client throttled on its own.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_client": env_str("API_THROTTLE_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "api.problems.problem_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS is 405: the schema describes the API
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OTOP sales data centre API (ศูนย์ข้อมูลยอดจำหน่าย OTOP)",
    "DESCRIPTION": "Read geography, monthly rows, totals, KPI and completeness; send a "
    "district's month. Guide: docs/api.md. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",  # nullable objects as oneOf [ref, null], which validators agree on
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    # No deep links: Swagger UI puts each as a link inside the operation's button, which
    # nests one control in another (axe nested-interactive, tests/test_axe.py).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}
