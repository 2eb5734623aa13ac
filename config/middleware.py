"""Middleware of the whole project."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def api_never_stored(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Every API answer is someone's own data: no browser or proxy cache may keep it, so a shared
    or lost phone never shows anyone a partner's answers (the app's service worker keeps none
    either; see web/templates/web/sw.js)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response

    return middleware
