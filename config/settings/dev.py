"""Local development: `make run` on SQLite and the filesystem broker, emails to the console."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BROKER_DIR, STORAGES, VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY, VAR_DIR, env
from notifications.vapid import development_key_pair

DEBUG = env.bool("DEBUG", default=True)
VAR_DIR.mkdir(exist_ok=True)
for folder in ("queue", "processed", "control"):
    (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
PUSH_ALLOW_LOOPBACK_ENDPOINTS = True

# The plain files from the apps' folders, read afresh on each request: edit and reload.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None  # nothing collected: whitenoise serves from the finders

# Push works on `make run` with no set-up: a key pair made on first use and kept under var/.
if not (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY):
    VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = development_key_pair(VAR_DIR / "vapid.json")
