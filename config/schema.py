"""OpenAPI schema adjustments shared by the apps."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema


class BodyOnDeleteSchema(AutoSchema):
    """Documents the request body of a DELETE (DELETE /me takes the password again).

    drf-spectacular documents bodies only for PUT, PATCH and POST, so a client built from the
    schema would not know to send one.
    """

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class StrictSerializerExtension(OpenApiSerializerExtension):
    """Tells clients (and fuzzers) that a StrictSerializer refuses fields it does not know."""

    target_class = "config.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
