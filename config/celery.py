"""The Celery app: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery

from config import logs  # noqa: F401 - connects the signals that carry request ids into tasks and set up the workers' logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
