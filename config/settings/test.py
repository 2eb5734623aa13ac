"""The test suite: real PostgreSQL by default (DATABASE_URL may point at SQLite), real Redis.

`make test` runs the suite once on PostgreSQL and once on SQLite.
"""

import atexit
import os
import shutil
import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    REDIS_TRANSPORT_OPTIONS,
    STORAGES,
    env,
    with_prepared_statements,
    with_sqlite_for_several_processes,
)

SECRET_KEY = "test-only-secret-key-not-for-production-4b1d"
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/test")}
with_prepared_statements(DATABASES["default"])  # as production does
with_sqlite_for_several_processes(DATABASES["default"])  # as `make run` does, on the SQLite run
CELERY_BROKER_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In memory; the browser tests' worker, another process, sends to a local SMTP server instead.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# One memory for both aliases (LocMemCache shares a LOCATION's store), so clearing one clears both.
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    for alias in ("default", "throttles", "challenges")
}
PUSH_ALLOW_LOOPBACK_ENDPOINTS = True

# The plain files from the apps' folders (no collectstatic before a test run);
# tests/web/test_pages.py runs collectstatic with the production storage.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected: whitenoise serves from the finders

# Each run of the suite counts into a folder of its own, so that runs side by side never add to each
# other's metrics; the processes it starts (Celery workers, gunicorn) inherit it by the environment.
METRICS_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")
if not METRICS_DIR:
    METRICS_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tandem-test-metrics-")
    atexit.register(shutil.rmtree, METRICS_DIR, ignore_errors=True)
