"""The one JSON parser of the API (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES): it refuses a body
nested too deep with a 400 before the body becomes Python objects.

Python's JSON parser recurses once per level, so `[` a hundred thousand times would raise
RecursionError (a 500) on every endpoint that reads a body, anonymous ones included. The size of a
body is bounded before this runs: Django refuses one over DATA_UPLOAD_MAX_MEMORY_SIZE when DRF
reads it (RequestDataTooBig, a 413 by config/middleware.py).
"""

import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# The deepest body any endpoint takes is two levels (a push subscription's `keys`). 32 leaves room
# for every body the API may ever take, and stays far below the depth at which Python's parser
# (about a thousand levels, less the request's own stack) or a serializer walking the value recurses out.
MAX_DEPTH = 32

# A JSON string, escapes included (unrolled, so it matches in linear time without backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, read in one pass without recursion
    (the brackets inside strings do not count). For a text that is no JSON at all, some number
    that the parser will then refuse for its own reason."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:  # any JSON value, not only an object
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # DRF 3.18, not in its stubs
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
