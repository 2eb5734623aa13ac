"""Middleware of the whole project."""

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from config import exceptions
from foundation import metrics
from web import assets


def requests_counted(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Count every answer and its time by the name of its route (`checkin-answer`), never its path,
    which holds ids. Second in MIDDLEWARE, after the request id: the time is all but the whole of Django's."""

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        if match is not None:
            view = match.view_name
        else:  # answered before a route was looked for (whitenoise's files), or no route matched
            view = "static" if request.path.startswith(_STATIC_PATH) else "unmatched"
        method = request.method if request.method in metrics.HTTP_METHODS else "other"
        metrics.HTTP_REQUESTS.labels(view, method, response.status_code).inc()
        metrics.HTTP_REQUEST_DURATION.labels(view, method).observe(elapsed)
        return response

    return middleware


_STATIC_PATH = "/" + settings.STATIC_URL.lstrip("/")


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


def admin_content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The admin's pages are Django's own, with no inline script or style (its scripts read their
    settings from data- attributes): the strict policy of the app's pages (web/assets.py), with
    no inline exception."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", assets.strict_content_security_policy())
        return response

    return middleware


class ApiErrorsAsJson:
    """Every error under /api/ is JSON, with DEBUG on or off. DRF's views answer their own errors
    in JSON; what Django answers instead of a view (no route matched, DEBUG's technical 404 and 500
    pages, the 400 of a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a failure in a middleware) is made
    JSON here, after Django has logged it. A view's own answer is left as it is (the email
    unsubscribe page under /api/ is a page for people). First in MIDDLEWARE after the request id and
    the count (neither changes an answer), so that it sees the answers of every other middleware too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not exceptions.is_api(request) or response.status_code < 400 or _is_json(response):
            return response
        answered_by_a_view = request.resolver_match is not None and not getattr(request, _VIEW_FAILED, False)
        if answered_by_a_view or response.streaming:
            return response
        # The same response, so that its headers (Allow of a 405, say) stay.
        response.content = json.dumps(exceptions.api_error_body(response.status_code)).encode()
        response["Content-Type"] = "application/json"
        if response.has_header("Content-Length"):  # CommonMiddleware measured the page this replaces
            response["Content-Length"] = str(len(response.content))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not exceptions.is_api(request):
            return None
        setattr(request, _VIEW_FAILED, True)
        return exceptions.api_error_of_exception(exception)


_VIEW_FAILED = "_api_view_failed"


def _is_json(response: HttpResponse) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    return media_type == "application/json" or media_type.endswith("+json")
