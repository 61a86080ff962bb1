"""SynthGen settings: one module, driven by environment variables, with embedded defaults.

With no variables set it runs on the embedded default: SQLite under var/, the local-memory
cache, Celery tasks run eagerly and emails printed to the console.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from synthgen.enums import enum_names

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envseconds(name: str, default: str) -> list[float]:
    """One duration in seconds, or a comma-separated list of them; none negative."""
    values = envlist(name, default)
    try:
        seconds = [float(value) for value in values]
    except ValueError:
        seconds = []
    if not seconds or any(not 0 <= value < float("inf") for value in seconds):
        raise ImproperlyConfigured(f"{name} must be seconds (e.g. 5 or 5,300), not {values!r}")
    return seconds


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        sys.exit("SynthGen refuses to start: DEBUG is off and SECRET_KEY is not set.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", SITE_URL)
# Addresses of the proxies (nginx) whose X-Real-IP names the client: synthgen.middleware.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "billing",
    "accounts",
    "generators",
    "accounts.webhooks",
]

MIDDLEWARE = [
    "synthgen.health.HealthCheckMiddleware",  # first: probes skip the host check and redirects
    "synthgen.middleware.RequestIdMiddleware",
    "synthgen.middleware.ClientAddressMiddleware",
    "synthgen.bodies.RequestBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "synthgen.middleware.ContentSecurityPolicyMiddleware",
    "synthgen.middleware.ApiErrorMiddleware",
]

# The largest request body, checked before it is read (synthgen.bodies): far above any real
# API request or form, far below what would strain a worker. Bigger ones get 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440))

ROOT_URLCONF = "synthgen.urls"
WSGI_APPLICATION = "synthgen.wsgi.application"

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
                "synthgen.context_processors.site",
            ],
        },
    },
    {
        # Emails are plain text: nothing in them is HTML, so nothing is HTML-escaped.
        "NAME": "emails",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates" / "emails"],
        "OPTIONS": {"autoescape": False},
    },
]

# Database: PostgreSQL through psycopg 3 when DATABASE_URL is set, SQLite otherwise.
DATABASE_URL = os.getenv("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "600"), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.getenv("SQLITE_PATH", str(VAR_DIR / "synthgen.sqlite3")),
            # Kept open as on PostgreSQL: opening one costs more than a whole charge.
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "600"),
            # WAL: readers never wait for the writer, and a commit appends to the log without
            # waiting for the disk (synchronous=NORMAL: safe from a crashed process; a power
            # cut may lose the last commits). Issue 11 measured commits as half a request.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (the burst and failed-key-check counters): Redis when REDIS_URL is set. Short socket
# timeouts, so a Redis that went away costs a request a moment, not a hang: the limits that live
# there then fail open (billing.throttles).
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "synthgen.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# How long a verified API key is kept in the cache, so that a request's key check costs no query
# (accounts.key_cache): revoking, rotating, suspending and plan changes forget it at once. Only
# with Redis, which every worker shares; 0 turns it off, as it is on the per-process cache.
API_KEY_CACHE_SECONDS = envint("API_KEY_CACHE_SECONDS", "60" if REDIS_URL else "0")

# Webhooks: each attempt waits at most WEBHOOKS_TIMEOUT seconds; a failed one is tried again
# after each delay of the schedule in turn, then the delivery is marked failed. An endpoint with
# no success for WEBHOOKS_DISABLE_AFTER seconds of failures is disabled and its owner emailed.
WEBHOOKS_TIMEOUT = envseconds("WEBHOOKS_TIMEOUT", "5")[0]
WEBHOOKS_RETRY_SCHEDULE = envseconds("WEBHOOKS_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000")
WEBHOOKS_DISABLE_AFTER = envseconds("WEBHOOKS_DISABLE_AFTER", str(5 * 86_400))[0]
# http:// and URLs on loopback, private or link-local addresses, for local development and
# tests only: off unless DEBUG is on. Cloud-metadata addresses are refused whatever it says.
WEBHOOKS_ALLOW_PRIVATE_URLS = envbool("WEBHOOKS_ALLOW_PRIVATE_URLS", "true" if DEBUG else "false")
# Beat's sweep for retries that are due (and deliveries whose task was lost).
WEBHOOKS_SWEEP_INTERVAL = envseconds("WEBHOOKS_SWEEP_INTERVAL", "5")[0]
WEBHOOKS_LOG_DAYS = envint("WEBHOOKS_LOG_DAYS", "30")
# Without a broker (eager Celery), deliveries run on a thread of the web process, never inside
# the request that caused them; tests switch it off and deliver when they choose.
WEBHOOKS_RUN_IN_THREAD = envbool("WEBHOOKS_RUN_IN_THREAD", "true")

# Celery: Redis is the broker in production; in the embedded default tasks run eagerly.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false" if REDIS_URL else "true")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest any task may run (a bulk job's chunk is the longest, a few seconds in practice).
# It also sizes the broker's visibility timeout: Redis hands a task whose worker died to another
# worker once it has gone unacknowledged that long, so it must exceed the longest task, or a
# task still running would be handed out twice. The lost-chunk sweep waits as long.
TASK_TIME_LIMIT = envint("TASK_TIME_LIMIT", "150")
TASK_REDELIVERY_AFTER = TASK_TIME_LIMIT + max(5, TASK_TIME_LIMIT // 5)
CELERY_TASK_TIME_LIMIT = TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = TASK_TIME_LIMIT * 4 // 5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TASK_REDELIVERY_AFTER,
    # Look for such tasks every few seconds (kombu's default is about every 100 s).
    "unacked_restore_interval": max(1, min(10, TASK_REDELIVERY_AFTER // 4)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")  # beat's state, not the repo's
# How often beat sweeps for stranded charges and lost chunks, and how long a charged request may
# go without a recorded answer before it counts as stranded (its process died, or the database
# went away before the answer was written): the sweep then refunds it and frees its
# Idempotency-Key. It must exceed the web server's own request timeout (gunicorn: 30 s).
SWEEP_INTERVAL = envint("SWEEP_INTERVAL", "60")
# Whether a request's charge and its answer wait for the disk when they commit on PostgreSQL
# (billing.services._durable): off, a database crash may lose the last moment of them, only
# ever in the consumer's favour; every other write, refunds included, always waits.
CHARGE_SYNCHRONOUS_COMMIT = envbool("CHARGE_SYNCHRONOUS_COMMIT", "false")
CHARGE_ANSWER_TIMEOUT = envint("CHARGE_ANSWER_TIMEOUT", "60")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Daily, not only on the 1st: a run missed while beat was down is caught up next day,
    # and the ledger's unique (account, month) constraint makes extra runs harmless.
    "grant-monthly-credits": {
        "task": "billing.tasks.grant_this_months_credits",
        "schedule": crontab(minute=5, hour=0),
    },
    "purge-idempotency-records": {
        "task": "billing.tasks.purge_idempotency_records",
        "schedule": crontab(minute=17),
    },
    # Jobs: export files live 7 days; a job whose chunks stopped finishing is failed and
    # refunded.
    "expire-job-files": {"task": "generators.tasks.expire_job_files", "schedule": 3600.0},
    "fail-stalled-jobs": {"task": "generators.tasks.fail_stalled_jobs", "schedule": 600.0},
    # A sweep that waited in the queue past the next one is dropped, not run twice.
    "refund-stranded-charges": {
        "task": "billing.tasks.refund_stranded_charges",
        "schedule": float(SWEEP_INTERVAL),
        "options": {"expires": SWEEP_INTERVAL},
    },
    "requeue-lost-chunks": {
        "task": "generators.tasks.requeue_lost_chunks",
        "schedule": float(SWEEP_INTERVAL),
        "options": {"expires": SWEEP_INTERVAL},
    },
    # Webhooks: retries that are due (and deliveries whose task was lost); the old log.
    "deliver-due-webhooks": {
        "task": "accounts.webhooks.tasks.deliver_due",
        "schedule": WEBHOOKS_SWEEP_INTERVAL,
    },
    "purge-webhook-log": {
        "task": "accounts.webhooks.tasks.purge_log",
        "schedule": crontab(minute=41, hour=3),
    },
}
# Without a broker (eager Celery) a job runs on a thread of the web process, so POST /api/jobs
# still answers 202 at once; the job tests switch it off to run jobs inline.
JOBS_RUN_IN_THREAD = envbool("JOBS_RUN_IN_THREAD", "true")

# django-ratelimit needs a shared cache with atomic increments: Redis in production. The
# local-memory cache of the embedded default is per process, which is what a single
# `make run` process needs, so its warnings about it are silenced deliberately.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "synthgen.middleware.client_address"
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
REQUEST_ACCESS_RATE = os.getenv("REQUEST_ACCESS_RATE", "5/h")
# Failed API key checks (401s) per client address, then 429; a correct key always passes.
API_KEY_FAILURE_RATE = os.getenv("API_KEY_FAILURE_RATE", "60/m")

# Email: SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", "587")
    EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "true")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "SynthGen <noreply@synthgen.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_EMAILS = envlist("STAFF_EMAILS", "staff@synthgen.local")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.authentication.HasApiKey"],
    "DEFAULT_RENDERER_CLASSES": ["synthgen.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["synthgen.bodies.JsonParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "synthgen.bodies.ContentNegotiation",
    "EXCEPTION_HANDLER": "synthgen.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SynthGen API",
    "DESCRIPTION": "Synthetic customer feedback, user interviews and support tickets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": enum_names(),
}

# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# static files, so no inline script, inline event handler or injected <style> runs.
# Swagger UI draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Production hardening: on whenever DEBUG is off, so `manage.py check --deploy` is clean.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "synthgen.redaction.RedactTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],  # no emailed link's token in any log line
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print its records a second time through root.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # runserver's request lines, through the handler that hides the links' tokens.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
