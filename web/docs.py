"""The interactive API docs at /api/docs/, with the strict policy of every page Tandem serves."""

import re
from functools import cache
from typing import Any

from django.template.loader import get_template
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

from web import assets


class ApiDocs(SpectacularSwaggerSplitView):
    """The interactive API docs (Swagger UI, its files served by Tandem: drf-spectacular-sidecar).
    The split view serves the page's start-up script as a file of its own (`?script`), so the
    page's one inline element is the template's fixed <style>, allowed by its hash."""

    @extend_schema(exclude=True)  # as the parent's: a page, not an operation of the API
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = assets.strict_content_security_policy(styles=_docs_inline_styles())
        return response


@cache
def _docs_inline_styles() -> list[str]:
    source = get_template(ApiDocs.template_name).template.source  # type: ignore[attr-defined]  # Django's engine
    return re.findall(r"<style>(.*?)</style>", source, re.S)
