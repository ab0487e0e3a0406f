"""Settings: everything comes from the environment; unset means the embedded default
(SQLite, local files, database-backed background tasks)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    development_secrets,
    env_bool,
    env_choice,
    env_int,
    env_key32,
    env_key32_list,
    env_list,
    env_public_base_url,
    env_str,
    reachable_host,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PLATFORM_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("PLATFORM_PRODUCTION", False)
# Off unless asked for (DJANGO_DEBUG=1): the demo is served the way production is.
DEBUG = env_bool("DJANGO_DEBUG", False)
# The address the embedded default serves (scripts/start.sh → gunicorn, config/gunicorn.conf.py).
HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000)

_dev = {} if PRODUCTION else development_secrets(VAR_DIR / "dev-secrets.json")
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _dev.get("SECRET_KEY"))
# Personal data at rest: AES-GCM key and the keyed-hash key for exact-match lookups.
PII_ENCRYPTION_KEY = env_key32("PII_ENCRYPTION_KEY", _dev.get("PII_ENCRYPTION_KEY"))
PII_HASH_KEY = env_key32("PII_HASH_KEY", _dev.get("PII_HASH_KEY"))
# Retired encryption keys, read-only, kept only until `manage.py rotate_pii_key` has re-encrypted.
PII_ENCRYPTION_OLD_KEYS = env_key32_list("PII_ENCRYPTION_OLD_KEYS")
# Audit trail: HMAC key of the hash chains (kept outside the database, so database write
# access alone cannot re-forge a chain) and the append-only directory of published chain heads.
AUDIT_HMAC_KEY = env_key32("AUDIT_HMAC_KEY", _dev.get("AUDIT_HMAC_KEY"))
AUDIT_HEADS_DIR = Path(env_str("AUDIT_HEADS_DIR", str(VAR_DIR / "audit-heads")))

# Printed in agreement PDFs' verification QR: required in production, else the address served.
PUBLIC_BASE_URL = env_public_base_url("PLATFORM_PUBLIC_BASE_URL", production=PRODUCTION, host=HOST, port=PORT)
# By default the site also answers at the address it serves and prints (any HOST, PUBLIC_BASE_URL).
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", list(dict.fromkeys([
    "127.0.0.1", "localhost", "[::1]", "testserver", reachable_host(HOST),
    reachable_host(urlsplit(PUBLIC_BASE_URL).hostname or "127.0.0.1"),
])))
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "apps.core.error_pages.csrf_failure"  # Chinese page / JSON error

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # ninja's own templates and static files: /api/v1/docs then serves Swagger UI from
    # this site instead of a CDN (no internet at run time; the CSP allows 'self' only).
    "ninja",
    "apps.core",
    "apps.reference",
    "apps.organisations",
    "apps.accounts",
    "apps.graduates",
    "apps.roster",
    "apps.notices",
    "apps.destinations",
    "apps.notifications",
    "apps.signing",
    "apps.audit",
    "apps.corrections",
    "apps.archives",
    "apps.registry",
    "apps.employers",
    "apps.jobs",
    "apps.resumes",
    "apps.applications",
    "apps.reports",
    "apps.fairs",
    "apps.infosessions",
    "apps.recommendations",
    "apps.backoffice",
    "apps.statistics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside XFrameOptionsMiddleware: it reads the X-Frame-Options that one sets.
    "apps.core.security.ContentSecurityPolicyMiddleware",
    # Chinese error pages / the API's JSON errors in every mode (wraps CommonMiddleware: bad hosts)
    "apps.core.error_pages.ErrorPageMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # reference:version read at most once per request (code labels, division pickers)
    "apps.reference.middleware.ReferenceVersionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.NoStoreForPersonalPagesMiddleware",
    "apps.core.middleware.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"

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
                "apps.core.context_processors.platform",
            ],
        },
    }
]

# --- Database: DATABASE_URL selects PostgreSQL; unset means SQLite in var/.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    # Behind PgBouncer in transaction pooling (docs/scaling.md) a server-side cursor (iterator())
    # would outlive the transaction the pooler lends its server connection for: set this to 1
    # there, and give jobs that stream large tables (audit_verify, exports) a direct DATABASE_URL.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_TRANSACTION_POOLING", False)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "platform.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": VAR_DIR / "test-platform.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling counters live here): Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis (one SQL statement less on every signed-in request), written
    # through to the database, so an evicted or flushed key only costs a database read.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "platform_cache",
            # Django culls a third of the keys past 300 (MAX_ENTRIES' default), alphabetically:
            # throttle keys then evicted `reference:version`, and every process rebuilt its
            # reference snapshot. Throttle keys expire by themselves.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Background work: django-tasks; database backend by default (worker: manage.py db_worker).
TASKS_BACKEND = env_choice("TASKS_BACKEND", "database", {"database", "immediate", "rq"})
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "rq": "django_tasks_rq.RQBackend",
        }[TASKS_BACKEND]
    }
}
if TASKS_BACKEND == "rq":  # distributed: Redis queue, workers run `manage.py rqworker --job-class django_tasks_rq.Job`
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 900}}
# A database-queue task RUNNING longer than this is taken for lost (its worker died) and
# marked FAILED by `manage.py recover_jobs`; must exceed the longest real job.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 600)
# An approved agreement still without its PDF this long after approval is re-enqueued.
AGREEMENT_PDF_GRACE_SECONDS = env_int("AGREEMENT_PDF_GRACE_SECONDS", 300)

# --- Files: local by default, S3-compatible when PLATFORM_STORAGE=s3 (needs django-storages).
MEDIA_ROOT = Path(env_str("PLATFORM_MEDIA_ROOT", str(VAR_DIR / "media")))
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("PLATFORM_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
_storage = env_choice("PLATFORM_STORAGE", "local", {"local", "s3"})
STORAGES = {
    # Private media: never served by URL directly, only through permission-checked views.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT, "base_url": None}},
    # WhiteNoise serves STATIC_ROOT with DEBUG off, in the demo too: collectstatic writes hashed
    # names with gzip + brotli copies, served with a ten-year immutable Cache-Control
    # (apps/core/static_storage.py; plain names while nothing is collected).
    "staticfiles": {"BACKEND": "apps.core.static_storage.StaticStorage"},
}
if _storage == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
ROSTER_MAX_UPLOAD_BYTES = env_int("ROSTER_MAX_UPLOAD_BYTES", 30 * 1024 * 1024)
# Roster files are refused above these before any parsing (rows of the 生源 sheet; the
# workbook's total unpacked size as its zip declares it).
ROSTER_MAX_ROWS = env_int("ROSTER_MAX_ROWS", 50_000)
ROSTER_MAX_UNPACKED_BYTES = env_int("ROSTER_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
# The report keeps the first N issues of an import; the rest are only counted.
ROSTER_MAX_STORED_ISSUES = env_int("ROSTER_MAX_STORED_ISSUES", 1000)
# The platform's PDF signing key and self-signed certificate (created by manage.py signing_keys).
PLATFORM_SIGNING_KEY_DIR = Path(env_str("PLATFORM_SIGNING_KEY_DIR", str(VAR_DIR / "signing")))

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_AGE = 60 * 60 * 24 * 7

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("PLATFORM_FAST_HASHER", False)  # tests only: PBKDF2 rounds would dominate the suite
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

# Login throttling (graduate triple, staff password, signing PIN).
LOGIN_THROTTLE_PER_ACCOUNT = env_int("LOGIN_THROTTLE_PER_ACCOUNT", 5)
LOGIN_THROTTLE_PER_ADDRESS = env_int("LOGIN_THROTTLE_PER_ADDRESS", 20)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60)
STAFF_LOCKOUT_FAILURES = env_int("STAFF_LOCKOUT_FAILURES", 5)
STAFF_LOCKOUT_SECONDS = env_int("STAFF_LOCKOUT_SECONDS", 15 * 60)
# How long a graduate's 二维码名片 stays valid: the card's expiry, the signed link's max age
# and every page that states the validity (apps/signing/presenters.py) read this one value.
SIGNING_CARD_MINUTES = env_int("SIGNING_CARD_MINUTES", 60)
# 签到 at fairs and 宣讲会 (apps/fairs/checkin.py): the screen's QR code changes every ROTATE
# seconds and a scanned code is accepted while younger than VALID seconds (the current and the
# previous window), so a photo of the screen expires; check-in opens OPENS_MINUTES_BEFORE the start.
CHECKIN_CODE_ROTATE_SECONDS = env_int("CHECKIN_CODE_ROTATE_SECONDS", 30)
CHECKIN_CODE_VALID_SECONDS = env_int("CHECKIN_CODE_VALID_SECONDS", 60)
CHECKIN_OPENS_MINUTES_BEFORE = env_int("CHECKIN_OPENS_MINUTES_BEFORE", 60)
# Where the Django admin (superusers only) is served; its login goes through the same
# staff lockout and address throttle as the staff login (apps/accounts/admin.py).
PLATFORM_ADMIN_PATH = env_str("PLATFORM_ADMIN_PATH", "admin/")
if not re.fullmatch(r"(?:[A-Za-z0-9_.~-]+/)+", PLATFORM_ADMIN_PATH):
    raise ImproperlyConfigured(f"PLATFORM_ADMIN_PATH must look like admin/ or ops/console/, got {PLATFORM_ADMIN_PATH!r}")
# The load benchmark's bare baseline page and JSON twin (apps/core/bench_views.py, bench/load.py):
# off by default, so those paths are 404 unless a benchmark server turns them on.
PLATFORM_BENCH_BASELINE = env_bool("PLATFORM_BENCH_BASELINE", False)
# How many proxies sit in front of the app (X-Forwarded-For is trusted only that deep).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
# 全国毕业去向登记系统 sync (apps/registry, docs/registry-protocol.md): where the registry (or the
# stand-in, registry_standin/) listens, the shared secret, and the relay's retry policy
# (run_registry_relay: after its n-th failed try an entry waits min(MAX, BASE·2^(n−1)) seconds × a
# jitter of 0.5–1.5; after MAX_ATTEMPTS tries it is dead and blocks that graduate until staff retry).
# Durations accept fractions (tests run the relay with sub-second backoff).
REGISTRY_URL = env_str("REGISTRY_URL", "http://127.0.0.1:8770")
REGISTRY_SECRET = env_str("REGISTRY_SECRET", None if PRODUCTION else "development-registry-secret")
REGISTRY_TIMEOUT_SECONDS = float(env_str("REGISTRY_TIMEOUT_SECONDS", "5"))
REGISTRY_MAX_ATTEMPTS = env_int("REGISTRY_MAX_ATTEMPTS", 10)
REGISTRY_BACKOFF_BASE_SECONDS = float(env_str("REGISTRY_BACKOFF_BASE_SECONDS", "2"))
REGISTRY_BACKOFF_MAX_SECONDS = float(env_str("REGISTRY_BACKOFF_MAX_SECONDS", "600"))
# how long a relay holds a claimed entry; a killed relay's claims run out after this
REGISTRY_LEASE_SECONDS = float(env_str("REGISTRY_LEASE_SECONDS", "60"))
# changes are accepted until this day (MM-DD) of the cohort's year (the handbook: 8月31日)
REGISTRY_CHANGES_UNTIL = env_str("REGISTRY_CHANGES_UNTIL", "08-31")

# --- E-mail and SMS of notifications (apps/notifications/delivery.py). E-mail: SMTP when EMAIL_HOST
# is set, else the console backend (the embedded default prints mails to the worker's output);
# EMAIL_BACKEND overrides both (e.g. django.core.mail.backends.filebased.EmailBackend).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                        else "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 587 if env_bool("EMAIL_USE_TLS", True) and not env_bool("EMAIL_USE_SSL", False) else 465)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "大学生就业服务平台 <noreply@localhost>")
# SMS is offered on 消息设置 only when a sender class is named here (apps/notifications/senders.py:
# e.g. apps.notifications.senders.LogSender for a trial; a gateway adapter in production).
NOTIFICATION_SMS_SENDER = env_str("NOTIFICATION_SMS_SENDER", "")
# Retries: after the n-th failed try a message waits min(MAX, BASE·2^(n−1)) seconds; dead after MAX_ATTEMPTS.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6)
NOTIFICATION_BACKOFF_BASE_SECONDS = float(env_str("NOTIFICATION_BACKOFF_BASE_SECONDS", "60"))
NOTIFICATION_BACKOFF_MAX_SECONDS = float(env_str("NOTIFICATION_BACKOFF_MAX_SECONDS", "3600"))
# A sender's claim on a message; a killed worker's claims are taken over after this.
NOTIFICATION_LEASE_SECONDS = float(env_str("NOTIFICATION_LEASE_SECONDS", "120"))
# notify() with a kind missing from apps/notifications/kinds.py: raise (development, tests) or
# log and deliver in-app only (production).
NOTIFICATION_STRICT_KINDS = env_bool("NOTIFICATION_STRICT_KINDS", not PRODUCTION)

# --- HTTPS and browser hardening. In production TLS terminates at the reverse proxy, which
# must pass X-Forwarded-Proto (README: Production); that header is trusted only behind one.
if env_bool("SECURE_TRUST_FORWARDED_PROTO", NUM_PROXIES > 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Only a registrable domain submitted to the browsers' list is ever preloaded; for a
# platform host such as jy.example.edu.cn the directive is inert.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "apps.core.logging.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_pii"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own default handlers would bypass the masking filter: route them through ours.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 20
