"""OpenAPI schema adjustments shared by the apps: the error responses of each operation, the body
of a DELETE, and what a StrictSerializer refuses."""

from collections.abc import Iterator
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import Direction
from rest_framework.permissions import AllowAny

# A schema component of the error responses: its name, and its body.
_NamedSchema = tuple[str, dict[str, Any]]

_DETAIL: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What is wrong, in plain words."}},
    "required": ["detail"],
}
# A serializer's 400 names each field with its messages; a body that is not JSON at all gets `detail`.
_FIELD_ERRORS: dict[str, Any] = {
    "type": "object",
    "description": "Each field that is wrong, with what is wrong with it in plain words; or `detail`.",
    "additionalProperties": {
        # A list of messages; `detail`'s one message; a nested field's own errors (keys.p256dh).
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {"type": "object"}]
    },
}


class TandemAutoSchema(AutoSchema):
    """Documents the error responses each operation can give, as config/exceptions.py writes them:
    400 where it takes a body or query parameters, 401 unless anyone may call it, 404 where its path
    names an object (or the view says so), 409 where the view says so, 413 where it takes a body
    (over DATA_UPLOAD_MAX_MEMORY_SIZE), 429 where it is throttled (or the view says so).

    A view lists the errors its path alone does not tell in `error_responses`: a set for all its
    methods, e.g. {404, 409}, or one per method, e.g. {"POST": {409}}.
    """

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description, schema in self._errors():
            responses.setdefault(str(code), self._error_body(description, schema, code))
        return responses

    def _errors(self) -> Iterator[tuple[int, str, _NamedSchema]]:
        declared: set[int] | dict[str, set[int]] = getattr(self.view, "error_responses", set())
        if isinstance(declared, dict):
            declared = declared.get(self.method, set())
        has_body = self._get_request_body() is not None
        query = {parameter["name"] for parameter in self._get_parameters() if parameter.get("in") == "query"}
        has_query = bool(query)
        if has_body or has_query or 400 in declared:
            yield 400, "The body or a query parameter is not valid.", ("FieldErrors", _FIELD_ERRORS)
        if not any(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            yield 401, "Not signed in (no valid token or session).", ("Error", _DETAIL)
        # A page past the last one is a 404 too (foundation/pagination.py).
        if "{" in self.path or 404 in declared or "page" in query:
            yield 404, "Not found, or not yours: another couple's looks exactly the same.", ("Error", _DETAIL)
        if 409 in declared:
            yield 409, "The current state forbids it.", ("Error", _DETAIL)
        if has_body:
            yield 413, "The body is larger than the server takes.", ("Error", _DETAIL)
        if getattr(self.view, "throttle_classes", None) or 429 in declared:
            yield 429, "Too many requests: try again after Retry-After seconds.", ("Error", _DETAIL)

    def _error_body(self, description: str, schema: _NamedSchema, code: int) -> dict[str, Any]:
        name, body = schema
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=body)
        self.registry.register_on_missing(component)
        response = {"description": description, "content": {"application/json": {"schema": component.ref}}}
        if code == 429:
            response["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
            }
        return response


class BodyOnDeleteSchema(TandemAutoSchema):
    """Documents the request body of a DELETE (DELETE /me takes the password again).

    drf-spectacular documents bodies only for PUT, PATCH and POST, so a client built from the
    schema would not know to send one.
    """

    def _get_request_body(self, direction: Direction = "request") -> dict[str, Any] | None:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class StrictSerializerExtension(OpenApiSerializerExtension):
    """Tells clients (and fuzzers) that a StrictSerializer refuses fields it does not know."""

    target_class = "foundation.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
