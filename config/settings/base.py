"""Everything Tandem needs to run, read from the environment with safe local defaults.

dev.py, test.py and production.py override only what must differ between machines.
"""

from ipaddress import ip_network
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-8f2c1b7e9d4a")
# Earlier keys, still accepted for what they signed (sessions, reset and unsubscribe links) while a
# new SECRET_KEY takes over: docs/runbook.md, "Rotate secrets".
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# Where the PWA lives: join links and email links point here.
APP_BASE_URL = env("APP_BASE_URL", default="http://127.0.0.1:8000")
# Where this API is reached from outside: one-click unsubscribe links in emails point here.
API_BASE_URL = env("API_BASE_URL", default=APP_BASE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # whitenoise serves the static files under runserver too, as it does in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served by Tandem itself: no page loads anything from another origin.
    "drf_spectacular_sidecar",
    "couples",
    "checkin",
    "notifications",
    "signals",
    "workflows",
    "web",
]

MIDDLEWARE = [
    # First, so that every line logged while a request is served names it (config/logs.py).
    "config.logs.request_ids",
    "config.middleware.requests_counted",
    "config.middleware.ApiErrorsAsJson",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.api_never_stored",
    "config.middleware.admin_content_security_policy",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.exceptions.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def with_prepared_statements(database: dict[str, Any]) -> dict[str, Any]:
    """On PostgreSQL, parameters are bound by the server, and a statement a connection has run
    twice is prepared, so that its plan is reused: on the busiest endpoints planning cost more
    than running (bench/RESULTS.md). PG_PREPARED_STATEMENTS=false turns it off, for a connection
    pooler in transaction mode that cannot keep prepared statements."""
    if database["ENGINE"] == "django.db.backends.postgresql" and env.bool("PG_PREPARED_STATEMENTS", default=True):
        database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
    return database


def with_sqlite_for_several_processes(database: dict[str, Any]) -> dict[str, Any]:
    """`make run` has web, worker and beat writing one SQLite file. A transaction that reads first
    and writes later cannot wait for the write lock (SQLite refuses the upgrade at once, "database
    is locked", whatever the timeout), so every transaction takes it when it begins (IMMEDIATE) and
    waits up to 20 s for it; in WAL mode readers never wait for the writer, nor it for them.
    tests/integration/test_sqlite_under_its_worker.py writes from the web and a worker at once."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(
            timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
        )
    return database


DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}")}
with_prepared_statements(DATABASES["default"])
with_sqlite_for_several_processes(DATABASES["default"])
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache (CACHE_URL; Redis in production) holds the live stamps (couples/live.py) and the
# throttles' counters. With none named (`make run`), each is embedded: the default cache in each
# process's memory (its keys are row ids, so files kept across a deleted database could speak of
# another database's rows), the counters in files under var/ that every process shares, with no
# server to run, or each web process would give a client a budget of its own.
# THROTTLES_DIR: a folder of their own for processes that must not share a checkout's counters
# (the tests that start `make run` and its processes).
THROTTLES_DIR = env("THROTTLES_DIR", default=str(VAR_DIR / "throttles"))
EMBEDDED_THROTTLES_CACHE_URL = f"filecache://{THROTTLES_DIR}"
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://tandem"),
    "throttles": env.cache("CACHE_URL", default=EMBEDDED_THROTTLES_CACHE_URL),
    # Passkey challenges (couples/passkeys.py), asked for by one request and answered by the next,
    # which may reach another web process: shared by every process, as the counters are (files in
    # a folder of their own beside them; the counters' cache reads only its own folder's files).
    "challenges": env.cache("CACHE_URL", default=f"{EMBEDDED_THROTTLES_CACHE_URL}/passkey-challenges"),
}
AUTH_USER_MODEL = "couples.User"
# Database sessions that say whose they are, so that deleting an account removes them.
SESSION_ENGINE = "couples.sessions"
# A reset link works for an hour (couples/account_links.py).
PASSWORD_RESET_TIMEOUT = 3600
# Each sign-in is a device (couples/devices.py). A token unused this long is refused and swept; a
# device's last use is written at most once in DEVICE_TOUCH_MINUTES, not on every request.
DEVICE_IDLE_DAYS = env.int("DEVICE_IDLE_DAYS", default=90)
DEVICE_TOUCH_MINUTES = 5
# A browser idles out as a token does: its session's expiry moves on with each written use.
SESSION_COOKIE_AGE = DEVICE_IDLE_DAYS * 24 * 60 * 60
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
# The app and its files are served by Tandem itself, in production too (whitenoise): compressed
# (gzip and brotli) and named by a hash of their content, so each can be cached for a year and
# a changed file is a new URL. `manage.py collectstatic` writes them (and the manifest) once per
# release; dev and test serve the plain files from the apps' folders instead.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tandem <hello@tandem.invalid>")

# Passkeys (WebAuthn) are bound to a host name, the relying party's id: by default the host of
# APP_BASE_URL (an IP address cannot be one: open `make run` at localhost to add a passkey), or a
# parent domain named here. The browser's origin is checked against APP_BASE_URL's.
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="")
WEBAUTHN_RP_NAME = "Tandem"

# Web Push (VAPID). `manage.py vapid_keys` prints a fresh pair.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:hello@tandem.invalid")
# Only dev and test may register a loopback http push endpoint (a local fake push service).
PUSH_ALLOW_LOOPBACK_ENDPOINTS = False

# The proxies in front of Tandem (addresses or networks, comma separated: "10.0.0.0/8,::1"). Their
# X-Forwarded-For is believed, hop by hop from the right, so the throttles count the client's
# address; from anyone else the header is ignored. None by default: the connection's own address.
TRUSTED_PROXIES = [ip_network(entry, strict=False) for entry in env.list("TRUSTED_PROXIES", default=[])]

# /metrics (config/scrape.py) answers requests from these addresses (the client's, as
# TRUSTED_PROXIES vouch for it) or bearing METRICS_TOKEN (`Authorization: Bearer <token>`); anyone
# else gets the 404 of a path that does not exist. Loopback only by default, and no token.
METRICS_ALLOWED_ADDRESSES = [
    ip_network(entry, strict=False) for entry in env.list("METRICS_ALLOWED_ADDRESSES", default=["127.0.0.0/8", "::1"])
]
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# The folder where every process of the host (web workers, Celery workers, beat) keeps its counters,
# one file per process, summed when /metrics is read (foundation/metrics.py). Made when missing.
METRICS_DIR = env("PROMETHEUS_MULTIPROC_DIR", default=str(VAR_DIR / "metrics"))

REST_FRAMEWORK = {
    # Token first, so that an anonymous call gets 401 with WWW-Authenticate rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "couples.authentication.DeviceTokenAuthentication",
        "couples.authentication.DeviceSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["foundation.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "foundation.pagination.PageNumbers",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "foundation.schema.TandemAutoSchema",
    # Our throttles find the client's address through TRUSTED_PROXIES (couples/throttles.py); any
    # other would ignore X-Forwarded-For too, rather than believe it from anyone.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {
        # See couples/invites.py for what these rates mean for guessing an invite code.
        "register": env("THROTTLE_REGISTER", default="10/hour"),
        "login": env("THROTTLE_LOGIN", default="10/minute"),
        # Wrong passwords for one email, from any addresses. 20 an hour leaves a person who has
        # forgotten theirs plenty of tries (and, if someone else spends them, waits at most an
        # hour), while a guesser gets 480 a day, 175,000 a year, at any one account: never
        # through a list of leaked passwords, and the 20,000 commonest are refused at sign-up.
        "login_account": env("THROTTLE_LOGIN_ACCOUNT", default="20/hour"),
        # Signing in with a passkey takes two calls (its options, then the answer): twice login's.
        "passkey_login": env("THROTTLE_PASSKEY_LOGIN", default="20/minute"),
        "join": env("THROTTLE_JOIN", default="10/hour"),
        "join_address": env("THROTTLE_JOIN_ADDRESS", default="30/hour"),
        "invite": env("THROTTLE_INVITE", default="20/hour"),
        # Reset links: per client address, and per email whether or not it has an account.
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="10/hour"),
        "password_reset_email": env("THROTTLE_PASSWORD_RESET_EMAIL", default="5/hour"),
        "account_link": env("THROTTLE_ACCOUNT_LINK", default="30/hour"),
        "email_confirmation": env("THROTTLE_EMAIL_CONFIRMATION", default="5/hour"),
    },
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Check-ins that keep a couple's closeness and independence in balance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PatternEnum": "checkin.patterns.PATTERNS",
        "FlagKindEnum": "checkin.rules.KINDS",
        "DeviceKindEnum": "couples.models.Device.Kind",
        "SignalKindEnum": "signals.models.Signal.Kind",
        "NotificationKindEnum": "notifications.kinds.Kind",
        "RoundStatusEnum": "checkin.models.Round.Status",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    # No validator badge: it would load an image from validator.swagger.io (the docs' CSP allows only Tandem).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery. The default broker is kombu's filesystem transport, which needs no server, so that
# `make run` works on a bare machine; production sets CELERY_BROKER_URL to Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
# Everything the filesystem broker writes stays under BROKER_DIR (var/broker), its exchange tables
# (`control_folder`, which kombu otherwise puts in the working directory) included.
BROKER_DIR = Path(env("BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Nothing is lost and nothing loops:
# - acks_late: a task's message is acknowledged only when the task has finished, so a worker that
#   dies mid-task leaves it to be redelivered; every task is idempotent (deliveries are claimed
#   rows with a unique key), so running one again is harmless.
# - reject_on_worker_lost: a task whose worker process was killed (SIGKILL, OOM) is requeued at
#   once rather than acknowledged as failed; the idempotent tasks make that safe.
# - one visibility timeout: Redis redelivers an unacknowledged message once this long has passed
#   (running workers look for such messages every 10 s, see unacked_restore_*). Every
#   countdown, ETA and retry delay stays below it (MAX_TASK_DELAY_SECONDS, asserted by a test);
#   longer waits (quiet hours, a long Retry-After) are rows with a due time that the sweep picks up.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600)
MAX_TASK_DELAY_SECONDS = min(600, CELERY_VISIBILITY_TIMEOUT_SECONDS // 2)
REDIS_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    # A worker that serves several queues takes from them in the order it was given them
    # (WORKER_QUEUES: `celery` before `deliver`) instead of in turn, so that where one worker
    # serves both (a small host) sending never holds up the tick and the fan-outs: on a Sunday
    # evening every round is opened and every reminder queued first, then the reminders go out.
    "queue_order_strategy": "priority",
}
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, **REDIS_TRANSPORT_OPTIONS}
# A request that enqueues work must not hang on a dead broker: publishing gives up within about
# a second and the sweeps hand the work over once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Sending gets a queue of its own, so that a Sunday-evening herd of emails and pushes never
# holds up the tick and the fan-outs behind it. Run one worker per queue in production
# (`-Q celery` and `-Q deliver`); `make run` runs one worker on both.
CELERY_TASK_ROUTES = {
    "notifications.deliver": {"queue": "deliver"},
    "notifications.deliver_batch": {"queue": "deliver"},
}
WORKER_QUEUES = "celery,deliver"
# The queues a worker serves when it is given no -Q: both, in that order, so that a plain
# `celery -A config worker` never leaves the reminders waiting on a queue nobody reads.
CELERY_TASK_QUEUES = [Queue(name) for name in WORKER_QUEUES.split(",")]
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {
    # Opens due rounds, nudges, closes ended rounds and sweeps lost work; see checkin/scheduler.py.
    "checkin-tick": {"task": "checkin.tick", "schedule": 60.0},
    # Fans out lost hand-offs, sends deliveries whose quiet hours ended, recovers dead workers'.
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
    # Removes tokens unused for DEVICE_IDLE_DAYS and expired browser sessions (couples/devices.py).
    "devices-sweep": {"task": "couples.devices_sweep", "schedule": 15 * 60.0},
}

# Logs: plain lines (`make run`), or one JSON object a line where a deployment collects them
# (LOG_FORMAT=json), each with the id of the request or task it was written for (config/logs.py).
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: plain or json")
LOGGING_CONFIG = "config.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {"lines": {"()": f"config.logs.{'JsonLines' if LOG_FORMAT == 'json' else 'PlainLines'}"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "lines", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Never below INFO: with DEBUG on, Django's DEBUG lines are the SQL with its parameters
        # (notes, ratings), and urllib3's name each push endpoint, a subscription's capability.
        "django.db.backends": {"level": "INFO"},
        "urllib3": {"level": "INFO"},
    },
}

# Error reports (config/error_reports.py): none unless SENTRY_DSN names a Sentry project.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    # Imported only here: a deployment without Sentry never loads the SDK.
    from config import error_reports

    error_reports.start(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
    )
