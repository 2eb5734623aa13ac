"""The performance benchmark (`make bench`, bench/run.py): production-like settings on a database
and a Redis database of its own, which the bench drops and flushes.

- PostgreSQL `tandem_bench` (BENCH_DATABASE_URL), persistent connections as in production.
- Redis database 11 (BENCH_REDIS_URL) as the Celery broker and the cache.
- Emails go over SMTP to the bench's own mail server on 127.0.0.1 (bench/mail_service.py,
  BENCH_SMTP_PORT), pushes to its own push service there (bench/push_service.py): loopback push
  endpoints are allowed, and the VAPID key pair is made once and kept in var/bench/vapid.json.
- Its URLs are the app's and the bench-only constant endpoint (bench/urls.py), the baseline of the
  API pass; no other settings route it.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_TRANSPORT_OPTIONS, VAR_DIR, env, with_prepared_statements
from notifications.vapid import development_key_pair

DEBUG = False
SECRET_KEY = "bench-only-secret-key-not-for-production-7e3a"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tandem_bench")}
# As in production (config/settings/production.py): a web or worker process keeps its connection.
DATABASES["default"]["CONN_MAX_AGE"] = 60
with_prepared_statements(DATABASES["default"])
CELERY_BROKER_URL = env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/11")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
# As in production, the cache (throttles, round views) is Redis: the broker's database, which the
# bench flushes.
CACHES = {"default": env.cache_url_config(CELERY_BROKER_URL)}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = env.int("BENCH_SMTP_PORT", default=8768)
EMAIL_USE_TLS = False
PUSH_ALLOW_LOOPBACK_ENDPOINTS = True
VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = development_key_pair(VAR_DIR / "bench" / "vapid.json")
ROOT_URLCONF = "bench.urls"
# The bench's processes count into a folder of their own, not `make run`'s.
METRICS_DIR = env("PROMETHEUS_MULTIPROC_DIR", default=str(VAR_DIR / "bench" / "metrics"))
