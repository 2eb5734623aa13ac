"""/healthz: does the app reach its database and broker, and is the tick running? Operators ask."""

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from checkin.models import SchedulerHeartbeat
from checkin.scheduler import HEARTBEAT
from config.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2
# The tick runs every minute; five missed ones mean no beat or no worker is running.
SCHEDULER_STALE_AFTER = timedelta(minutes=5)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            return True
    except Exception:
        return False


def _scheduler_ok() -> bool:
    try:
        beat = SchedulerHeartbeat.objects.filter(name=HEARTBEAT).values_list("completed_at", flat=True).first()
    except Exception:
        return False
    return beat is not None and beat > timezone.now() - SCHEDULER_STALE_AFTER


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer and the tick ran lately; 503 naming what failed."""
    checks = {"database": _database_ok(), "broker": _broker_ok(), "scheduler": _scheduler_ok()}
    failure = {"database": "unreachable", "broker": "unreachable", "scheduler": "stale"}
    body = {name: ("ok" if ok else failure[name]) for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
