"""The bench-only endpoint: the cheapest authenticated DRF call, the API pass's baseline.

Routed only by bench/urls.py, under bench.settings. It runs the project's
default authentication (a token lookup) and IsAuthenticated, then returns a constant, so every
other endpoint's throughput can be read as a fraction of what the stack itself allows.
"""

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class ConstantView(APIView):
    # Authentication and permission classes are the project defaults (REST_FRAMEWORK settings).
    schema = None  # not part of the public API schema

    def get(self, request: Request) -> Response:
        return Response({"ok": True})
