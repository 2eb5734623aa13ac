"""Who may touch what, checked for every endpoint the URL configuration has, not a hand-kept list.

The endpoints are read from `get_resolver()`, so a new endpoint is covered the day it is added:

- every `api/v1/` endpoint with a path parameter (an id) is called, with each HTTP method its view
  implements, on an object of Alice's couple: by Charlie, who is paired with someone else, it must
  be a 404 (not a 403, which would tell him the id exists), and anonymously a 401/403; afterwards
  Alice's objects must be as they were, and Alice herself must not get a 404 (so the ids were real);
- every `api/v1/` endpoint without one must refuse an anonymous caller, except the few public ones
  in PUBLIC_ENDPOINTS;
- once the couple has ended, each former partner (Alice, and Bob who left) still reads every object
  that was the couple's (COUPLE_OBJECTS) and may change none of them (a 409, the object as it was),
  while Charlie still gets a 404.

A path parameter with no entry in OBJECT_FACTORIES fails the test, naming the endpoint: add a
function that makes such an object for Alice's couple.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from checkin.models import Discussion, DiscussionNote, Round
from couples import devices
from couples.models import Device, Passkey
from notifications import services as notification_services
from notifications.models import Notification, PushSubscription
from signals import services as signal_services
from signals.models import Signal
from tests.builders import a_discussion, revealed_round

pytestmark = [pytest.mark.django_db]

API_PREFIX = "api/v1/"

# Endpoints anyone may call without logging in. Each must exist (a stale entry fails the test).
PUBLIC_ENDPOINTS = {
    "api/v1/auth/register",
    "api/v1/auth/login",
    # Hands a browser the CSRF cookie it needs before it can log in.
    "api/v1/auth/csrf",
    # One-click unsubscribe from an email (RFC 8058): the signed token in the link is the credential.
    "api/v1/notifications/unsubscribe",
    # The way back in: asking for a reset link, and the links of the account emails, whose token is
    # the credential (they work on any device, signed in or not).
    "api/v1/auth/password-reset",
    "api/v1/auth/password-reset/confirm",
    "api/v1/auth/confirm-email",
    # Signing in with a passkey: the options (a challenge) and the signed answer, which is the credential.
    "api/v1/auth/passkey/options",
    "api/v1/auth/passkey",
}

# OPTIONS answers DRF's metadata about the endpoint, never the object, so it is left out.
NOT_CHECKED_METHODS = {"options"}

# A plausible body per endpoint for the write methods (the default is an empty object). Each write
# is also sent with an empty body, so a view that validates before it scopes (a 400 that tells the
# caller the id exists) is caught as well.
WRITE_BODIES: dict[str, dict] = {
    "api/v1/checkins/<int:round_id>/response": {"connection": 1, "independence": 5, "note": "from charlie"},
    "api/v1/discussions/<int:discussion_id>/notes": {"text": "charlie was here"},
    "api/v1/signals/<int:signal_id>/reply": {"reply": "yes", "message": "from charlie"},
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


@dataclass(frozen=True)
class Endpoint:
    route: str  # "api/v1/checkins/<int:round_id>"
    params: tuple[str, ...]
    callback: Callable
    regex_only: bool  # some part of it is a re_path(), whose route cannot be filled in here

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    def methods(self) -> list[str]:
        view_class = self.view_class
        return [
            method
            for method in view_class.http_method_names
            if method not in NOT_CHECKED_METHODS and hasattr(view_class, method)
        ]

    def url(self, values: dict[str, object]) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), self.route)


def _walk(patterns, prefix: str = "", params: tuple[str, ...] = (), regex_only: bool = False) -> Iterator[Endpoint]:
    for entry in patterns:
        pattern = entry.pattern
        route = prefix + str(pattern)
        if isinstance(pattern, RoutePattern):
            names = tuple(pattern.converters)
            is_regex = False
        else:
            names = tuple(pattern.regex.groupindex) or tuple(f"<positional {i}>" for i in range(pattern.regex.groups))
            is_regex = True
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route, params + names, regex_only or is_regex)
        elif isinstance(entry, URLPattern):
            yield Endpoint(route, params + names, entry.callback, regex_only or is_regex)


def api_endpoints() -> list[Endpoint]:
    return [e for e in _walk(get_resolver().url_patterns) if e.route.startswith(API_PREFIX)]


# What Alice's couple owns, one maker per path parameter. Each makes the object with the ORM or
# the services (never through the API under test) and returns it; `Objects` makes each once.


def _make_round(seats) -> Round:
    return revealed_round(seats, alice=(4, 4), bob=(4, 4))


def _make_discussion(seats) -> Discussion:
    return a_discussion(seats)


def _make_notification(seats) -> Notification:
    notification_services.notify(user_ids=[seats.alice.pk], kind="results_ready", subject="round:access-matrix")
    return Notification.objects.get(user=seats.alice, subject="round:access-matrix")


def _make_subscription(seats) -> PushSubscription:
    return PushSubscription.objects.create(
        user=seats.alice, endpoint="https://push.example.com/x", p256dh="p256dh-key", auth="auth-secret"
    )


def _make_passkey(seats) -> Passkey:
    return Passkey.objects.create(user=seats.alice, credential_id=b"alice-passkey", public_key=b"key", name="Phone")


def _make_signal(seats) -> Signal:
    # Bob's invitation: Alice may reply to it (and, not its sender, is refused a take-back with a 409).
    return signal_services.signal_send(user=seats.bob, kind="invite", message="Tea on Sunday?")


def _make_device(seats) -> Device:
    # Another sign-in of Alice's than her client's own, which signing out would end.
    return devices.token_issue(user=seats.alice)[1]


OBJECT_FACTORIES: dict[str, Callable] = {
    "passkey_id": _make_passkey,
    "round_id": _make_round,
    "discussion_id": _make_discussion,
    "notification_id": _make_notification,
    "subscription_id": _make_subscription,
    "signal_id": _make_signal,
    "device_id": _make_device,
}


# The path parameters that name an object of the couple (not one person's own, as a notification
# or a push subscription is): a former partner keeps reading these, read-only.
COUPLE_OBJECTS = {"round_id", "discussion_id", "signal_id"}


class Objects:
    """Alice's objects, made on first use, one per kind of path parameter."""

    def __init__(self, seats):
        self.seats = seats
        self.made: dict[str, Model] = {}

    def pk(self, param: str) -> int:
        if param not in self.made:
            self.made[param] = OBJECT_FACTORIES[param](self.seats)
        return self.made[param].pk


def _call(client, method: str, url: str, body: dict | None):
    if method in WRITE_METHODS:
        return getattr(client, method)(url, body if body is not None else {}, format="json")
    return getattr(client, method)(url)


def _describe(response) -> str:
    content = response.content[:300].decode(errors="replace")
    return f"{response.status_code} {content}"


def _snapshot(objects: Objects) -> dict:
    """What must not change when strangers poke at Alice's objects."""
    made = objects.made
    state: dict = {}
    if "round_id" in made:
        checkin_round = Round.objects.filter(pk=made["round_id"].pk).first()
        state["round"] = None
        if checkin_round is not None:
            answers = checkin_round.answers.order_by("pk").values_list(
                "user_id", "connection", "independence", "note", "private_note", "updated_at"
            )
            state["round"] = (checkin_round.status, checkin_round.revealed_at, list(answers))
    if "discussion_id" in made:
        discussion = Discussion.objects.filter(pk=made["discussion_id"].pk).first()
        state["discussion"] = None
        if discussion is not None:
            notes = DiscussionNote.objects.filter(discussion=discussion).values_list("author_id", "text")
            state["discussion"] = (discussion.status, discussion.resolved_at, sorted(notes))
    if "notification_id" in made:
        state["notification"] = (
            Notification.objects.filter(pk=made["notification_id"].pk).values_list("user_id", "read_at").first()
        )
    if "passkey_id" in made:
        state["passkey"] = Passkey.objects.filter(pk=made["passkey_id"].pk).values_list("user_id", "name").first()
    if "signal_id" in made:
        state["signal"] = (
            Signal.objects.filter(pk=made["signal_id"].pk)
            .values_list("sender_id", "message", "reply", "reply_message", "withdrawn_at")
            .first()
        )
    if "subscription_id" in made:
        state["subscription"] = (
            PushSubscription.objects.filter(pk=made["subscription_id"].pk).values_list("user_id", "endpoint").first()
        )
    return state


def test_walk_finds_the_endpoints_it_must():
    routes = {e.route for e in api_endpoints()}
    # Guards the walk itself: if it found nothing, every test below would pass vacuously.
    assert {
        "api/v1/checkins/<int:round_id>",
        "api/v1/discussions/<int:discussion_id>/resolve",
        "api/v1/notifications/<int:notification_id>/read",
        "api/v1/push/subscriptions/<int:subscription_id>",
        "api/v1/me",
    } <= routes, sorted(routes)


def test_objects_of_a_couple_are_invisible_to_other_couples_and_to_strangers(seats):
    endpoints = [e for e in api_endpoints() if e.params]
    assert endpoints
    objects = Objects(seats)
    problems: list[str] = []
    checked: list[tuple[str, str]] = []

    callable_endpoints = []
    for endpoint in endpoints:
        missing = [p for p in endpoint.params if p not in OBJECT_FACTORIES]
        if missing:
            problems.append(
                f"{endpoint.route}: no entry in OBJECT_FACTORIES for path parameter(s) {missing}; add a function "
                "that makes such an object for Alice's couple, so this endpoint's access rules are checked."
            )
            continue
        if endpoint.regex_only:
            problems.append(f"{endpoint.route}: a re_path() endpoint; this test can only fill in path() routes.")
            continue
        if endpoint.view_class is None:
            problems.append(f"{endpoint.route}: a function view; make it a class view so its methods are known.")
            continue
        callable_endpoints.append(endpoint)

    for endpoint in callable_endpoints:
        url = endpoint.url({p: objects.pk(p) for p in endpoint.params})
        before = _snapshot(objects)
        for method in endpoint.methods():
            bodies = [WRITE_BODIES.get(endpoint.route, {}), {}] if method in WRITE_METHODS else [None]
            for body in bodies:
                shown = f"{method.upper()} {url}" + (f" body={body}" if body is not None else "")
                checked.append((method, endpoint.route))
                response = _call(seats.charlie_api, method, url, body)
                if response.status_code != 404:
                    problems.append(f"{shown} as Charlie (another couple): expected 404, got {_describe(response)}")
                response = _call(seats.anonymous_api, method, url, body)
                if response.status_code not in (401, 403):
                    problems.append(f"{shown} anonymously: expected 401 or 403, got {_describe(response)}")
        after = _snapshot(objects)
        for kind in sorted(set(before) | set(after)):
            if before.get(kind) != after.get(kind):
                problems.append(
                    f"{endpoint.route}: Charlie's or an anonymous call changed Alice's {kind}: "
                    f"{before.get(kind)} -> {after.get(kind)}"
                )

    # Alice's objects are all still hers and untouched: still there, not resolved, not read, and
    # nothing Charlie sent stuck.
    made = objects.made
    if "round_id" in made:
        answers = list(Round.objects.get(pk=made["round_id"].pk).answers.values_list("user_id", flat=True))
        if sorted(answers) != sorted([seats.alice.pk, seats.bob.pk]):
            problems.append(f"Alice's round {made['round_id'].pk} now has answers from users {answers}")
    if "discussion_id" in made:
        discussion = Discussion.objects.filter(pk=made["discussion_id"].pk).first()
        if discussion is None:
            problems.append("Alice's discussion was deleted")
        elif discussion.status != Discussion.Status.OPEN or discussion.resolved_at is not None:
            problems.append(f"Alice's discussion was resolved by someone else ({discussion.status})")
        stuck = list(DiscussionNote.objects.filter(author=seats.charlie).values_list("discussion_id", "text"))
        if stuck:
            problems.append(f"Charlie's notes were added to discussions: {stuck}")
    if "notification_id" in made:
        notification = Notification.objects.filter(pk=made["notification_id"].pk).first()
        if notification is None or notification.read_at is not None:
            problems.append("Alice's notification was deleted or marked read by someone else")
    if "passkey_id" in made and not Passkey.objects.filter(pk=made["passkey_id"].pk, user=seats.alice).exists():
        problems.append("Alice's passkey was deleted or moved by someone else")
    if "subscription_id" in made:
        if not PushSubscription.objects.filter(pk=made["subscription_id"].pk, user=seats.alice).exists():
            problems.append("Alice's push subscription was deleted or moved by someone else")
    if "device_id" in made:
        if not Device.objects.filter(pk=made["device_id"].pk, user=seats.alice).exists():
            problems.append("Alice's device was signed out by someone else")

    # The ids were real: Alice herself is not told they do not exist (safe methods first, then the
    # writes, which may change or delete her objects).
    for endpoint in callable_endpoints:
        url = endpoint.url({p: objects.pk(p) for p in endpoint.params})
        for method in sorted(endpoint.methods(), key=lambda m: m in WRITE_METHODS):
            response = _call(seats.alice_api, method, url, WRITE_BODIES.get(endpoint.route, {}))
            if response.status_code == 404 or response.status_code >= 500:
                problems.append(
                    f"{method.upper()} {url} as Alice (the owner): got {_describe(response)}; "
                    "the object made for this endpoint is not one it accepts (check OBJECT_FACTORIES)"
                )

    assert not problems, "\n".join(problems)
    assert checked


def test_every_endpoint_without_an_id_refuses_anonymous_callers(seats):
    endpoints = [e for e in api_endpoints() if not e.params]
    routes = {e.route for e in endpoints}
    stale = PUBLIC_ENDPOINTS - routes
    assert not stale, f"PUBLIC_ENDPOINTS names endpoints that no longer exist: {sorted(stale)}"
    problems: list[str] = []
    checked = 0
    for endpoint in endpoints:
        if endpoint.route in PUBLIC_ENDPOINTS:
            continue
        if endpoint.view_class is None:
            problems.append(
                f"{endpoint.route}: a function view; make it a class view (so its methods are known) "
                "or, if it is meant to be public, add it to PUBLIC_ENDPOINTS"
            )
            continue
        url = endpoint.url({})
        for method in endpoint.methods():
            body: dict | None = {} if method in WRITE_METHODS else None
            response = _call(seats.anonymous_api, method, url, body)
            checked += 1
            if response.status_code not in (401, 403):
                problems.append(
                    f"{method.upper()} {url} anonymously: expected 401 or 403, got {_describe(response)} "
                    "(if it is meant to be public, add it to PUBLIC_ENDPOINTS)"
                )
    assert not problems, "\n".join(problems)
    assert checked


def test_a_former_partner_reads_every_object_of_the_couple_and_changes_none(seats):
    endpoints = [e for e in api_endpoints() if e.params and set(e.params) <= COUPLE_OBJECTS and not e.regex_only]
    assert {e.route for e in endpoints} >= {"api/v1/checkins/<int:round_id>", "api/v1/discussions/<int:discussion_id>"}
    objects = Objects(seats)
    urls = {e.route: e.url({p: objects.pk(p) for p in e.params}) for e in endpoints}
    assert seats.bob_api.post("/api/v1/couple/leave").status_code == 204
    before = _snapshot(objects)
    problems: list[str] = []
    for endpoint in endpoints:
        url = urls[endpoint.route]
        for method in endpoint.methods():
            body = WRITE_BODIES.get(endpoint.route, {}) if method in WRITE_METHODS else None
            expected = 409 if method in WRITE_METHODS else 200
            for name, client in (("Alice", seats.alice_api), ("Bob, who left", seats.bob_api)):
                response = _call(client, method, url, body)
                if response.status_code != expected:
                    problems.append(f"{method.upper()} {url} as {name}: expected {expected}, got {_describe(response)}")
            response = _call(seats.charlie_api, method, url, body)
            if response.status_code != 404:
                problems.append(f"{method.upper()} {url} as Charlie: expected 404, got {_describe(response)}")
    after = _snapshot(objects)
    if before != after:
        problems.append(f"writes to a former couple's objects changed them: {before} -> {after}")
    assert not problems, "\n".join(problems)
