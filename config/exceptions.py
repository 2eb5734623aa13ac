"""API errors shared by every app: the 409 for state conflicts and one exception handler."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    """The request is well formed but the current state forbids it (already paired, round open)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."
    default_code = "conflict"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    # A model-level ValidationError that escaped a serializer is still the caller's bad input.
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for URLs no route matches (say /api/v1/checkins/abc): JSON like every other answer."""
    return JsonResponse({"detail": "Not found."}, status=404)
