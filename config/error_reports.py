"""Error reports: with SENTRY_DSN set, the unexpected errors of the web and the workers (and every
ERROR logged) go to Sentry, with nothing of a person's in them: no note, rating, token, cookie,
Authorization header or email address, wherever the SDK found it.

Started by the settings module, so that web, workers and beat report alike.
"""

import re
from typing import Any, cast

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
from sentry_sdk.types import Event, Hint

from config.logs import EMAIL_ADDRESS

FILTERED = "[Filtered]"
# Keys whose values are a person's, wherever they appear in an event (extra, contexts, breadcrumbs'
# data), on top of the SDK's own list (passwords, tokens, cookies, sessions, Authorization).
PRIVATE_KEYS = [
    "note",
    "private_note",
    "text",
    "message",
    "connection",
    "independence",
    "email",
    "code",
    "endpoint",
    "p256dh",
    "keys",
    "key",
    "display_name",
]
# The headers that carry who is asking; the SDK leaves them out without send_default_pii, and this
# holds whatever the SDK's next version does.
CREDENTIAL_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-csrftoken"}
QUERY_PARAMETER = re.compile(r"([^&=]+)=[^&]*")


def start(*, dsn: str, environment: str, release: str | None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # A frame's variables would hold the answer being saved, the person, their token.
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + PRIVATE_KEYS, recursive=True),
        before_send=scrubbed,
        # Errors only: no performance tracing, whose spans would carry each statement and URL.
        traces_sample_rate=None,
    )


def scrubbed(report: Event, hint: Hint) -> Event:
    """The event as it may leave: a request's body and query string keep their names, not their
    values; no cookie or credential header; an outgoing request's URL (a push endpoint is a
    subscription's capability) only its origin; and no email address in any text."""
    event = cast(dict[str, Any], report)
    request = event.get("request")
    if isinstance(request, dict):
        if "data" in request:
            body = request["data"]
            request["data"] = {name: FILTERED for name in body} if isinstance(body, dict) else FILTERED
        if request.get("query_string"):
            request["query_string"] = QUERY_PARAMETER.sub(rf"\1={FILTERED}", str(request["query_string"]))
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in CREDENTIAL_HEADERS
            }
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        data = crumb.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            data["url"] = _origin(data["url"])
            data.pop("http.query", None)
            data.pop("http.fragment", None)
    return cast(Event, _without_addresses(event))


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else FILTERED


def _without_addresses(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL_ADDRESS.sub("[email]", value)
    if isinstance(value, dict):
        return {key: _without_addresses(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_addresses(item) for item in value]
    return value
