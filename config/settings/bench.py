"""The performance benchmark (`make bench`, bench/run.py): production-like settings on a database
and a Redis database of its own, which the bench drops and flushes.

- PostgreSQL `tandem_bench` (BENCH_DATABASE_URL), persistent connections as in production.
- Redis database 11 (BENCH_REDIS_URL) as the Celery broker and the cache.
- Emails go to Django's dummy backend: a send is a no-op, so the bench measures Tandem, not SMTP.
- BENCH_ENDPOINTS turns on the bench-only constant endpoint (the baseline of the API pass).
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_TRANSPORT_OPTIONS, env, with_prepared_statements

DEBUG = False
SECRET_KEY = "bench-only-secret-key-not-for-production-7e3a"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tandem_bench")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# As in production (config/settings/production.py): a web or worker process keeps its connection.
DATABASES["default"]["CONN_MAX_AGE"] = 60
with_prepared_statements(DATABASES["default"])
CELERY_BROKER_URL = env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/11")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
# As in production, the cache (throttles, round views) is Redis: the broker's database, which the
# bench flushes.
CACHES = {"default": env.cache_url_config(CELERY_BROKER_URL)}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
BENCH_ENDPOINTS = True
