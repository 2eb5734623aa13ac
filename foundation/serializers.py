"""Serializer behaviour shared by every app."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


# Refuses fields it does not know, so a typo ("timzone") is a 400, not a silent no-op. (A comment,
# not a docstring: the schema would show a docstring as every subclass's description.)
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                allowed = ", ".join(sorted(name for name, f in self.fields.items() if not f.read_only))
                raise serializers.ValidationError(
                    {name: [f"Unknown field. Allowed fields: {allowed}."] for name in unknown}
                )
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "19:00"})
class HourMinuteField(serializers.TimeField):
    """A local wall time written HH:MM, both ways (OpenAPI's "time" format would want seconds)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class MomentField(serializers.DateTimeField):
    """A date and time with its offset from UTC: without one, a device's clock could be read hours off."""

    default_error_messages = {"naive": "Give the time with its offset from UTC, as in 2026-03-01T18:30:00.000Z."}

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)
