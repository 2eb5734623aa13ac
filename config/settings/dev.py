"""Local development: `make run` on SQLite and the filesystem broker, emails to the console."""

from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
VAR_DIR.mkdir(exist_ok=True)
for folder in ("queue", "processed"):
    (VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
PUSH_ALLOW_LOOPBACK_ENDPOINTS = True

# The plain files from the apps' folders, read afresh on each request: edit and reload.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None  # nothing collected: whitenoise serves from the finders
