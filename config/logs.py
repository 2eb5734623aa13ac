"""What every log line carries, and how it is written: the request's id, taken from the web request
into the Celery tasks it queues, and the line itself, plain (`make run`) or one JSON object
(LOG_FORMAT=json), never with an email address in it.

Imported by config/celery.py, so that web, workers and beat connect the same Celery signals; it
reads no settings when imported (the settings module imports the Celery app).
"""

import logging
import logging.config
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun
from pythonjsonlogger.json import JsonFormatter

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# What a proxy in front may name a request by (a UUID, nginx's $request_id, a platform's own):
# letters, digits and a few marks, so that it can go into a header and a log line as it is.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The Celery message header that carries it to a task (the task reads it as `task.request.request_id`).
TASK_HEADER = "request_id"

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_ids(get_response: Callable[["HttpRequest"], "HttpResponse"]) -> Callable[["HttpRequest"], "HttpResponse"]:
    """Names each request: by the proxy's X-Request-ID when it is well-formed, else by a new id; the
    answer carries it back, and every line logged while it is served carries it (first in
    MIDDLEWARE, so that the other middleware's lines do too)."""

    def middleware(request: "HttpRequest") -> "HttpResponse":
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current.set(request_id)
        try:
            response = get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response

    return middleware


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id`: that of the request or task being served, or None."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current.get()
        if request_id is None:
            # Django logs a 4xx or 5xx answer after the middleware has returned; its record names the request.
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id
        return True


# An address can reach a line through an exception's text (a database error quotes the row).
EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def without_addresses(line: str) -> str:
    return EMAIL_ADDRESS.sub("[email]", line)


class PlainLines(logging.Formatter):
    """`time level logger message`, as `make run` shows it."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return without_addresses(super().format(record))


class JsonLines(JsonFormatter):
    """One JSON object a line: time, level, logger, process, request_id, message, and a traceback
    or an answer's status where there is one. Nothing else a library puts on a record goes out:
    Django's `request` (its text is the path with the query string, where links carry tokens),
    Celery's `data` (a task's arguments)."""

    KEPT = {"time", "level", "logger", "process", "request_id", "message", "exc_info", "stack_info", "status_code"}

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # in UTC, ISO 8601
            json_ensure_ascii=False,
        )

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        for name in set(log_data) - self.KEPT:
            del log_data[name]

    def format(self, record: logging.LogRecord) -> str:
        return without_addresses(super().format(record))


def configure(logging_settings: dict[str, Any]) -> None:
    """LOGGING_CONFIG: the settings' LOGGING, and Python's warnings as log lines too (a library's
    deprecation, Celery's warning about running as root), so that with JSON every line is JSON."""
    logging.config.dictConfig(logging_settings)
    logging.captureWarnings(True)


@setup_logging.connect
def _workers_log_as_django_does(**kwargs: object) -> None:
    """Celery's processes log through the project's LOGGING (its format, LOG_LEVEL, the request id)
    instead of replacing the root logger's handlers with their own."""
    from django.conf import settings

    configure(settings.LOGGING)


@before_task_publish.connect
def _task_carries_the_request_id(headers: dict[str, Any] | None = None, **kwargs: object) -> None:
    request_id = current.get()
    if request_id is not None and headers is not None:
        headers[TASK_HEADER] = request_id


@task_prerun.connect
def _task_runs_under_its_request_id(task: Any = None, **kwargs: object) -> None:
    # A task queued by a task (a fan-out's batches, a retry) carries the id on, as it is current here.
    current.set(getattr(task.request, TASK_HEADER, None) if task is not None else None)


@task_postrun.connect
def _task_done(**kwargs: object) -> None:
    current.set(None)
