"""The app's own pages: the shell (one HTML page for every screen, which routes itself), the
service worker at the root scope and the web app manifest. None of them carries user data, so
each can be cached and served offline without showing anyone anything of anyone's."""

import json

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from checkin.serializers import NOTE_MAX
from couples.models import DISPLAY_NAME_MAX_LENGTH, Schedule
from signals.models import MESSAGE_MAX_LENGTH
from web import assets, screens

THEME_COLOUR = "#2e4f4f"
# The lengths the API accepts for what people write, from the rules that enforce them, so the
# app's counters say the server's limit and never a copy of it (ui.js reads them from the shell).
TEXT_LIMITS = {"note": NOTE_MAX, "display_name": DISPLAY_NAME_MAX_LENGTH, "signal_message": MESSAGE_MAX_LENGTH}
# And the most a schedule takes (schedule.js), from the model that holds them.
SCHEDULE_LIMITS = {"interval_days": Schedule.MAX_INTERVAL_DAYS, "window_hours": Schedule.MAX_WINDOW_HOURS}
BACKGROUND_COLOUR = "#f7f4ef"


@require_safe
@cache_control(no_cache=True)
def shell(request: HttpRequest, **route: str) -> HttpResponse:
    response = render(
        request,
        "web/shell.html",
        {
            "import_map": assets.import_map(),
            "entry": static(assets.ENTRY_MODULE),
            "stylesheets": assets.stylesheets(),
            "icon": static(assets.ICONS["192"]),
            "apple_icon": static(assets.ICONS["apple"]),
            "theme_colour": THEME_COLOUR,
            "text_limits_json": json.dumps(TEXT_LIMITS),
            "schedule_limits_json": json.dumps(SCHEDULE_LIMITS),
        },
    )
    response["Content-Security-Policy"] = assets.content_security_policy()
    # No user data is in the shell; the API's answers are never cached (see sw.js).
    response["Referrer-Policy"] = "same-origin"
    response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response


@require_safe
def screen_without_the_slash(request: HttpRequest, screen_path: str) -> HttpResponse:
    """/history/ is /history: the screen, not a 404 (in development, Django's page listing every route)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"/{screen_path}" + (f"?{query}" if query else ""))


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    # no-cache: the browser checks for a new worker on every navigation instead of trusting a
    # copy for up to a day, so a fix reaches phones at once.
    response = render(
        request,
        "web/sw.js",
        {
            "release": assets.release(),
            "precache_json": json.dumps(assets.precache_urls()),
            "screen_pattern_json": json.dumps(screens.SCREEN_PATH_PATTERN),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # The policy of the worker's own script: what it may fetch and import.
    response["Content-Security-Policy"] = assets.strict_content_security_policy()
    return response


@require_safe
@cache_control(no_cache=True)
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(assets.ICONS["192"]), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static(assets.ICONS["512"]), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static(assets.ICONS["maskable"]), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    body = {
        "id": "/",
        "name": "Tandem: closeness and independence, in balance",
        "short_name": "Tandem",
        "description": "A regular, gentle check-in for two.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    return JsonResponse(body, content_type="application/manifest+json")
