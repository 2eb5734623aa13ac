"""/healthz: does the app reach its database and its broker? Load balancers and operators ask."""

from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2


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


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {name: ("ok" if ok else "unreachable") for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
