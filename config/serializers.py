"""Serializer behaviour shared by every app."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


# Refuses fields it does not know, so a typo ("timzone") is a 400, not a silent no-op. (A comment,
# not a docstring: the schema would show a docstring as every subclass's description.)
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
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

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)
