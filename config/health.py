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
# When this process began serving (it loads the URLs, and so this module, then). Beat's first tick
# comes up to a minute after a start, and after downtime the last recorded tick is old: for as long
# as a tick may take to come, a process that has just started reports the scheduler `starting`
# rather than `stale`, and a tick that never comes is reported stale once that time has passed.
SERVING_SINCE = timezone.now()


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


def _scheduler() -> str:
    """`ok` when the tick ran lately, `starting` while this process is younger than a tick may take
    to come, else `stale`."""
    now = timezone.now()
    try:
        beat = SchedulerHeartbeat.objects.filter(name=HEARTBEAT).values_list("completed_at", flat=True).first()
    except Exception:
        return "stale"
    if beat is not None and beat > now - SCHEDULER_STALE_AFTER:
        return "ok"
    return "starting" if now - SERVING_SINCE < SCHEDULER_STALE_AFTER else "stale"


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer and the tick ran lately (or may still be on its
    way after a start); 503 naming what failed."""
    body = {
        "database": "ok" if _database_ok() else "unreachable",
        "broker": "ok" if _broker_ok() else "unreachable",
        "scheduler": _scheduler(),
    }
    healthy = all(state in ("ok", "starting") for state in body.values())
    return JsonResponse(body, status=200 if healthy else 503)
