"""Practica settings: every knob comes from the environment, with defaults that work on a laptop.

See README.md ("Configuration") for the list of variables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from practica.lib.env import email_settings_from_url, env_bool, env_choice, env_int, env_list, env_str
from practica.lib.rates import parse_rates

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PRACTICA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules or env_bool("PRACTICA_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (a long random string).")
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-mode"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "practica.lib",
    "practica.topics",
    "practica.accounts",
    "practica.people",
    "practica.communities",
    "practica.discussions",
    "practica.importers",
    "practica.search",
    "practica.knowledge",
    "practica.notifications",
    "practica.events",
    "practica.discovery",
    "practica.insights",
    "practica.audit",
    "practica.api",
    "practica.front",
    "practica.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads a body: 413 for a Content-Length beyond what the view accepts (practica/lib/uploads.py).
    "practica.lib.uploads.UploadSizeMiddleware",
    "practica.lib.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "practica.accounts.lockout.KnownDeviceMiddleware",
    "practica.lib.audit.AuditContextMiddleware",
    "practica.lib.middleware.UserTimezoneMiddleware",
    # Reports the communities a GET read, after it answered (practica/lib/activity.py), outside any transaction.
    "practica.lib.activity.ActivityMiddleware",
    # Last: an API POST with an Idempotency-Key runs its view in one transaction with the record of its answer.
    "practica.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "practica.urls"
WSGI_APPLICATION = "practica.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "practica" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practica.lib.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'practica.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids "database is locked" on upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
    }
    if not TESTING:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Tasks ----------------------------------------------------------------------------------------
# immediate: run in the request (no service needed); database: queued in the database and run by
# `python manage.py db_worker` (one server); dummy: recorded, never run (tests of enqueueing).
TASK_BACKEND = env_choice("PRACTICA_TASK_BACKEND", "immediate", ("immediate", "database", "rq", "dummy"))
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
            "rq": "django_tasks_rq.RQBackend",
        }[TASK_BACKEND],
    }
}
# rq: queued in Redis (REDIS_URL) and run by `python manage.py rqworker --job-class django_tasks_rq.Job default`
# on any number of hosts.
if TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("PRACTICA_TASK_BACKEND=rq needs REDIS_URL (e.g. redis://127.0.0.1:6379/0).")
    INSTALLED_APPS.append("django_rq")
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 300}}
# Webhooks may target private-network addresses (loopback, 10/8, 192.168/16, link-local...) only if allowed.
PRACTICA_WEBHOOK_ALLOW_PRIVATE = env_bool("PRACTICA_WEBHOOK_ALLOW_PRIVATE", DEBUG)

# --- Auth and accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
if TESTING:
    # The production hasher is slow on purpose; test servers (the abuse and concurrency suites) check thousands.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = True  # stored as typed; found in any case (usernames are unique case-insensitively)
ACCOUNT_EMAIL_VERIFICATION = env_choice("ACCOUNT_EMAIL_VERIFICATION", "optional", ("none", "optional", "mandatory"))
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_SIGNUP_FORM_CLASS = "practica.accounts.forms.SignupExtraForm"
# Sign-up and password reset answer alike for new and registered addresses; the owner of a registered one is
# emailed (practica/accounts/account_forms.py: a sign-up confirms its address first, as with mandatory verification).
ACCOUNT_FORMS = {
    "signup": "practica.accounts.account_forms.SignupForm",
    "reset_password": "practica.accounts.account_forms.ResetPasswordForm",
}
ACCOUNT_ADAPTER = "practica.accounts.adapter.AccountAdapter"
# Failed sign-ins, sign-ups and password resets are limited by Practica's shared counters (RATE_LIMITS below,
# practica/accounts/lockout.py), not by allauth's, which live in each process's memory.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None, "signup": None, "reset_password": None}

# --- Email ----------------------------------------------------------------------------------------
vars().update(email_settings_from_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Practica <practica@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "practica" / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# How many trusted proxies append to X-Forwarded-For; the client's address is the one they received the request
# from (the PROXY_COUNT-th from the right). Without BEHIND_PROXY the header is ignored: clients could forge it.
PROXY_COUNT = env_int("PROXY_COUNT", 1)
if PROXY_COUNT < 1:
    raise ImproperlyConfigured("PROXY_COUNT must be at least 1 (trusted proxies in front of Practica).")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS: when the public address is https (SITE_URL) and DEBUG is off, plain http is redirected and browsers are
# told to use https only (HSTS, a year by default). Behind a TLS proxy also set BEHIND_PROXY, so that Django sees
# which requests arrived over https. HSTS_SECONDS=0 turns HSTS off; HSTS_PRELOAD=1 asks to be preloaded.
_HTTPS = SITE_URL.startswith("https://") and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain http on the inside
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only the site's own scripts, styles, images and fonts; no inline script or
# style, no plugins, no framing, forms post only here. Templates never use inline script, style or on* handlers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# Files stop being received once they pass the view's limit, rather than being written whole and then refused.
FILE_UPLOAD_HANDLERS = [
    "practica.lib.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "practica.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON nested deeper than 64 levels is a 400, not a RecursionError (practica/lib/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "practica.lib.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "practica.lib.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "practica.lib.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",  # a coarse per-process guard; the limits that matter:
        "practica.accounts.ratelimit.SharedRateThrottle",  # posting and searching, counted across processes
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_ANON_RATE", "10000/hour")},
    # X-Forwarded-For only from trusted proxies (DRF reads it whenever this is None).
    "NUM_PROXIES": PROXY_COUNT if BEHIND_PROXY else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Practica API",
    "DESCRIPTION": "The REST API of Practica, a platform for Communities of Practice.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI files come from the drf-spectacular-sidecar package: nothing loads from a third-party host.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Four models have a "kind" with its own choices, and several a "status": each enum named after its model.
    "ENUM_NAME_OVERRIDES": {
        "ImportJobStatusEnum": "practica.importers.models.ImportJob.Status",
        "OrganizationKindEnum": "practica.people.models.Organization.Kind",
        "ThreadKindEnum": "practica.discussions.models.ThreadKind",
        "EventKindEnum": "practica.events.models.EventKind",
        "KnowledgeKindEnum": "practica.knowledge.models.KnowledgeKind",
        "KnowledgeStatusEnum": "practica.knowledge.models.KnowledgeStatus",
        "KnowledgeCreditRoleEnum": "practica.knowledge.models.KnowledgeAuthor.Role",
        "CommunityRoleEnum": "practica.communities.models.Role",
        "StageEnum": "practica.communities.models.Stage",  # a community's stage, and the stage its health suggests
        "ParticipationLevelEnum": "practica.insights.metrics.LEVELS",
    },
    # The Idempotency-Key header (and its 409 and 422) on every POST it applies to (practica/api/idempotency.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "practica.api.idempotency.document_idempotency_key",
    ],
}

# --- Practica -------------------------------------------------------------------------------------
# Rate limits shared by every process (practica/lib/rates.py has the scopes and defaults): "post=60/10m,search=off".
try:
    RATE_LIMITS = parse_rates(env_str("RATE_LIMITS", ""))
except ValueError as exc:
    raise ImproperlyConfigured(f"RATE_LIMITS: {exc}") from None
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
if not 1 <= API_TOKEN_DEFAULT_DAYS <= API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured("API_TOKEN_DEFAULT_DAYS must be between 1 and API_TOKEN_MAX_DAYS (days a token lasts).")
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
# The largest real dump at hand (quantumcomputing) unpacks to 8.2 MiB (2.0 MB zipped): 40 MB is about five times
# that, for archives and what they unpack to alike (README, "Configuration").
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 40)
ROUTING_AFTER_HOURS = env_int("ROUTING_AFTER_HOURS", 24)
SEMANTIC_SEARCH = env_choice("PRACTICA_SEMANTIC", "auto", ("auto", "off"))
# Latent semantic search (practica/search/latent.py): "off" keeps searches to the full-text ranking.
LATENT_SEARCH = env_choice("PRACTICA_LATENT", "auto", ("auto", "off"))
LATENT_MIN_DOCUMENTS = env_int("PRACTICA_LATENT_MIN_DOCUMENTS", 50)
# numpy's BLAS (OpenBLAS) threads, unless the environment sets them: one. A web or task process answers one
# request per thread; a latent search's matrix product on 100,000 threads takes 6 ms on one thread, and with a
# thread per core the idle threads spin for ~100 ms of CPU per search (measured, docs/benchmarks.md). Set before
# numpy is first imported (it is imported lazily, after the settings).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# torch's threads (the semantic extra) in web and task processes, for the same reason: with a thread per core one
# related-threads request on 100,000 threads took 26 ms of CPU for 36 ms of wall, with one 16 ms for the same
# wall (docs/benchmarks.md). ``embed_threads`` (the back-fill) uses every core unless told otherwise.
SEMANTIC_THREADS = env_int("PRACTICA_SEMANTIC_THREADS", 1)
if SEMANTIC_THREADS < 1:
    raise ImproperlyConfigured("PRACTICA_SEMANTIC_THREADS must be at least 1 (torch threads per process).")
# Uploaded imports run outside the web request: in a process of their own with the immediate task backend
# ("process"), or in the request ("request": tests only, where no other process can open the test database).
IMPORT_RUNNER = env_choice("IMPORT_RUNNER", "request" if TESTING else "process", ("process", "request"))
IMPORT_STALL_SECONDS = env_int("IMPORT_STALL_SECONDS", 120)  # no heartbeat for this long: the worker died
IMPORT_QUEUE_TIMEOUT_HOURS = env_int("IMPORT_QUEUE_TIMEOUT_HOURS", 24)  # queued with no worker taking it
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 40)
SHARED_DATASETS_DIR = Path(env_str("PRACTICA_DATASETS_DIR", str(BASE_DIR.parent / "shared" / "datasets")))
KNOWLEDGE_MAX_UPLOAD_MB = env_int("KNOWLEDGE_MAX_UPLOAD_MB", 10)
if KNOWLEDGE_MAX_UPLOAD_MB < 1:
    raise ImproperlyConfigured("KNOWLEDGE_MAX_UPLOAD_MB must be at least 1 (megabytes per attachment).")
KNOWLEDGE_REVIEW_MONTHS = env_int("KNOWLEDGE_REVIEW_MONTHS", 12)
if KNOWLEDGE_REVIEW_MONTHS < 1:
    raise ImproperlyConfigured("KNOWLEDGE_REVIEW_MONTHS must be at least 1 (months until a review is due).")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task started and finished drowns everything else; failures are still logged.
    "loggers": {"django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")}},
}

os.environ.setdefault("HF_HUB_OFFLINE", "1")
