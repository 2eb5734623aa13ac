"""The API's JSON renderer: DRF's, which also writes JSON it has written before as it is.

The cached round views (checkin/selectors.py) are kept as the JSON text this renderer wrote for
them, so that serving one costs neither decoding it nor encoding it again (for a history page,
about as much as the rest of the request). A response made of such texts, alone or inside lists
and dicts (a page of them with its count and links), is written byte for byte as DRF writes the
same values; asked for indented JSON (`Accept: application/json; indent=4`), it is decoded and
written indented.
"""

import json
from collections.abc import Mapping
from typing import Any

from rest_framework import renderers
from rest_framework.compat import LONG_SEPARATORS, SHORT_SEPARATORS
from rest_framework.utils.encoders import JSONEncoder


class RenderedJSON(bytes):
    """JSON text, compact, as JSONRenderer writes it: JSONRenderer.written(value) makes one."""


class _HoldsRenderedJSON(Exception):
    pass


class _Encoder(JSONEncoder):
    def default(self, obj: object) -> Any:
        # DRF's encoder would write bytes as a string: JSON text put inside quotes.
        if isinstance(obj, RenderedJSON):
            raise _HoldsRenderedJSON
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    encoder_class = _Encoder

    @classmethod
    def written(cls, value: object) -> RenderedJSON:
        """`value` as a response holding only it is written (`None` as null, not as no body)."""
        return RenderedJSON(cls().render(value) if value is not None else b"null")

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        # Responses without texts, nearly all, are written by DRF as ever, at no extra cost.
        if not isinstance(data, RenderedJSON):
            try:
                return super().render(data, accepted_media_type, renderer_context)
            except _HoldsRenderedJSON:
                pass
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(_decoded(data), accepted_media_type, renderer_context)
        return self._spliced(data)

    def _spliced(self, value: object) -> bytes:
        # Compact JSON of a list or a dict is its items' JSON joined by the separators, so the
        # texts go in as they are and only what is around them is written here.
        if isinstance(value, RenderedJSON):
            return value
        separators = SHORT_SEPARATORS if self.compact else LONG_SEPARATORS
        item_separator, key_separator = (separator.encode() for separator in separators)
        if isinstance(value, list | tuple):
            return b"[" + item_separator.join(self._spliced(item) for item in value) + b"]"
        if isinstance(value, dict):
            members = (self.written(str(key)) + key_separator + self._spliced(item) for key, item in value.items())
            return b"{" + item_separator.join(members) + b"}"
        return self.written(value)


def _decoded(value: object) -> object:
    if isinstance(value, RenderedJSON):
        return json.loads(value)
    if isinstance(value, dict):
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_decoded(item) for item in value]
    return value
