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
# `make test` runs the suite in two pytest-xdist workers (gw0, gw1): each has a broker database of
# its own, since a test empties its broker and reads what was queued there.
XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
CELERY_BROKER_URL = env("TEST_REDIS_URL", default=f"redis://127.0.0.1:6379/{15 - XDIST_WORKER}")
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

# Each run of the suite, and each of its pytest-xdist workers, counts into a folder of its own, so
# that runs side by side never add to each other's metrics; the processes a worker starts (Celery
# workers, gunicorn) inherit its folder by the environment. A worker is not given its controller's.
_METRICS_OWNER = os.environ.get("PYTEST_XDIST_WORKER", "")
METRICS_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")
if not METRICS_DIR or os.environ.get("TANDEM_TEST_METRICS_OWNER", "") != _METRICS_OWNER:
    METRICS_DIR = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tandem-test-metrics-")
    os.environ["TANDEM_TEST_METRICS_OWNER"] = _METRICS_OWNER
    atexit.register(shutil.rmtree, METRICS_DIR, ignore_errors=True)
