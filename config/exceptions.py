"""The one place where errors become HTTP: the services' domain errors (couples/errors.py) and
DRF's own, and the 404 of a URL no route matches."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from couples import errors

# A domain error's kind, most specific first, and the status code it is answered with.
STATUS_OF_ERROR = (
    (errors.Invalid, status.HTTP_400_BAD_REQUEST),
    (errors.NotFound, status.HTTP_404_NOT_FOUND),
    (errors.Conflict, status.HTTP_409_CONFLICT),
)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
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
            return Response(body, status=code)
    return None  # a kind with no status of its own: a bug, left to the server's 500


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for URLs no route matches (say /api/v1/checkins/abc): JSON like every other answer."""
    return JsonResponse({"detail": "Not found."}, status=404)
