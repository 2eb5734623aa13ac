"""The one place where errors become HTTP: the services' domain errors (foundation/errors.py) and
DRF's own; and under /api/, what Django itself answers (a URL no route matches, a body over the
size limit, a crash, a CSRF failure), which config/middleware.py turns into these JSON answers."""

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import csrf
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from foundation import errors

# A domain error's kind, most specific first, and the status code it is answered with.
STATUS_OF_ERROR = (
    (errors.Invalid, status.HTTP_400_BAD_REQUEST),
    (errors.NotFound, status.HTTP_404_NOT_FOUND),
    (errors.Conflict, status.HTTP_409_CONFLICT),
    (errors.TooMany, status.HTTP_429_TOO_MANY_REQUESTS),
)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, errors.DomainError):
        return _domain_error_response(exc)
    # A model-level ValidationError that escaped a serializer is still the caller's bad input.
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)


def _domain_error_response(exc: errors.DomainError) -> Response | None:
    for kind, code in STATUS_OF_ERROR:
        if isinstance(exc, kind):
            # As DRF does for its own errors: a request in a transaction leaves nothing behind.
            set_rollback()
            body = exc.errors if isinstance(exc, errors.Invalid) else {"detail": exc.message}
            headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.TooMany) else None
            return Response(body, status=code, headers=headers)
    return None  # a kind with no status of its own: a bug, left to the server's 500


API_PREFIX = "/api/"

# What an error says when no view said it, by status (DRF's words where DRF has them).
DETAIL_OF_STATUS = {
    400: "Bad request.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    500: "A server error occurred.",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_body(status_code: int) -> dict[str, str]:
    """The JSON body of an error under /api/ that no view wrote (Django's 404, 400 or 500)."""
    return {"detail": DETAIL_OF_STATUS.get(status_code) or f"{HTTPStatus(status_code).phrase}."}


def api_error_of_exception(exc: Exception) -> JsonResponse | None:
    """The answer to an exception that escaped a view under /api/, where it has one of its own;
    None leaves it to Django (logged, then turned into JSON by the middleware)."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse({"detail": f"The request body is too large: at most {limit} bytes."}, status=413)
    return None


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for URLs no route matches (say /api/v1/checkins/abc): JSON like every other answer."""
    return JsonResponse(api_error_body(404), status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: under /api/ a JSON 403 in DRF's words (DRF's own session check says the
    same); elsewhere (the admin) Django's page."""
    if is_api(request):
        return JsonResponse({"detail": f"CSRF Failed: {reason}"}, status=403)
    return csrf.csrf_failure(request, reason)
