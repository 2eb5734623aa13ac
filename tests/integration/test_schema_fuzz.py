"""Schemathesis against the app's own OpenAPI schema, on a live server, as a paired partner.

Every operation of /api/schema/ is called with generated input, valid and invalid, as Alice, who is
paired with Bob and has a revealed round, open discussions, a notification, a push subscription,
quiet hours and an open round. Path ids are one of Alice's real objects most of the time (otherwise
generated), so the full bodies of rounds and discussions are checked too. No response may be a
server error (5xx), and every documented response must match the schema: body, content type and
headers (CHECKS).

The operations that end a session or a pairing (leaving the couple, deleting the account, logging
out) are neither left out nor put last: they are fuzzed in the same run, each as someone else whose
loss the rest of the run does not need (ENDINGS): Erin leaves Frank, Charlie deletes his account
(the fuzzer is given his password now and then) and Dana logs out. Afterwards each must have
happened, so their success responses were checked too, and Alice must still be paired and logged in.

The throttles (register, login, join, invite) are raised for the run, so that the fuzzer reaches
the views rather than a wall of 429s. DRF reads the rates once, into SimpleRateThrottle's class
attribute, so they are patched there (overriding settings.REST_FRAMEWORK would change nothing).

Besides what the schema generates, about one case in four is hostile in a way a schema never says
(tests/integration/fuzz_hooks.py): a body nested thousands deep or over the upload limit, dates at
the ends of the calendar, control characters in strings. Each of those shapes once found a 500 or
an HTML error that the plain fuzz had missed.

Bounded by `--max-examples` per operation: FUZZ_MAX_EXAMPLES (default 8) keeps the test to a
minute or two. `FUZZ_MAX_EXAMPLES=500 make test` runs a longer fuzz (about a quarter of an hour);
FUZZ_SEED=<n> replays a run (each run prints its seed). Any failure fails the test with
Schemathesis' report, which has a curl command reproducing each failing case.
"""

import json
import os
import shlex
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from checkin import services as checkin_services
from couples import devices
from couples.models import Device, Membership, User
from notifications import services as notification_services
from notifications.models import Notification, PushSubscription
from tests.builders import a_discussion, pair, person_named, revealed_round, three_seats
from tests.factories import PASSWORD
from tests.notifications.fake_push import vapid_key_pair

# PostgreSQL only: a minute or two of fuzzing is worth running once per `make test`, not twice.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Shapes of hostile input the schema alone never generates (depth, size, extreme dates, control characters).
HOOKS = Path(__file__).with_name("fuzz_hooks.py")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "8"))
SEED = os.environ.get("FUZZ_SEED")
RUN_TIMEOUT = 60 + MAX_EXAMPLES * 20  # seconds, for one Schemathesis run

# The schema documents each operation's error responses too (foundation/schema.py), so every status
# code an answer has must be one its operation documents.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
    "response_headers_conformance",
]

# Operations that end something, each called as its own person (a key of the world's tokens).
ENDINGS = {
    "POST /api/v1/couple/leave": "erin",
    "DELETE /api/v1/me": "charlie",
    "POST /api/v1/auth/logout": "dana",
    "DELETE /api/v1/me/devices/{device_id}": "frank",
}

# How often a path id is one of Alice's real objects rather than a generated integer.
REAL_ID_PROBABILITY = 0.7
# Always the real one, for the ending that a few cases must reach with it: at 0.7, with the few
# positive cases a run makes of it, Frank's other device was now and then never signed out (a
# failed run). Ids that are not the caller's are the API tests' subject (a 404 each).
ALWAYS_REAL = {"device_id"}


@pytest.fixture
def world(transactional_db) -> dict:
    """Alice paired with Bob, with something behind every kind of id; Charlie paired with Dana and
    Erin with Frank, for ENDINGS. Returns everyone's tokens and the ids of Alice's objects."""
    seats = three_seats()
    alice, couple, charlie, dana = seats.alice, seats.couple, seats.charlie, seats.dana
    erin, frank = person_named("Erin"), person_named("Frank")
    pair(erin, frank)

    calm = revealed_round(seats, alice=(4, 4), bob=(4, 4))
    discussion = a_discussion(seats)
    notification_services.notify(user_ids=[alice.pk], kind="results_ready", subject=f"round:{calm.pk}")
    notifications = list(Notification.objects.filter(user=alice).values_list("pk", flat=True))
    subscription = PushSubscription.objects.create(
        user=alice, endpoint="https://push.example.com/x", p256dh="p256dh-key", auth="auth-secret"
    )
    # Quiet hours, so that the preferences come back with times in them rather than nulls.
    notification_services.preferences_update(
        user=alice, changes={"quiet_hours_start": time(22), "quiet_hours_end": time(7)}
    )
    open_round = checkin_services.round_open(couple=couple, window_hours=48, now=timezone.now())
    _, franks_other_device = devices.token_issue(user=frank)
    return {
        "tokens": {
            user.display_name.lower(): devices.token_issue(user=user)[0] for user in (alice, charlie, dana, erin, frank)
        },
        "ids": {
            "round_id": [open_round.pk, calm.pk, discussion.checkin_id],
            "discussion_id": [discussion.pk],
            "notification_id": notifications,
            "subscription_id": [subscription.pk],
            "device_id": [franks_other_device.pk],
        },
    }


@pytest.fixture
def generous_throttles(monkeypatch):
    rates = {scope: "100000/minute" for scope in SimpleRateThrottle.THROTTLE_RATES}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def push_configured(settings):
    """A server set up as production must be (a VAPID key pair; `check --deploy` insists), so that
    the public-key endpoint answers 200, not its 503 for a server without one."""
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = vapid_key_pair()


@pytest.fixture
def small_upload_limit(settings):
    """Bodies of at most 64 KB for the run (still far above any the API takes), so that the oversized
    bodies of fuzz_hooks.py, and the reports of any case that fails with one, stay small."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024


@pytest.fixture
def broker_emptied_afterwards():
    """What the fuzzer sets off (round opened, partner left...) hands tasks to the test broker,
    where no worker takes them: they are dropped afterwards, as test_celery_worker does."""
    yield
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("redis://"):
        redis.Redis.from_url(broker).flushdb()


def _config(ids: dict[str, list[int]], tokens: dict[str, str]) -> str:
    """A schemathesis.toml: path ids drawn from Alice's real objects most of the time, ENDINGS
    called as their own people, and the real password offered to DELETE /api/v1/me now and then."""
    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines += ["[dictionaries.password]", f"values = {json.dumps([PASSWORD])}", ""]
    lines.append("[parameters]")
    for name in ids:
        probability = 1.0 if name in ALWAYS_REAL else REAL_ID_PROBABILITY
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = {probability} }}')
    for operation, person in ENDINGS.items():
        lines += ["", "[[operations]]", f"include-name = {json.dumps(operation)}"]
        lines.append(f'headers = {{ Authorization = "Token {tokens[person]}" }}')
        if operation == "DELETE /api/v1/me":
            lines.append('parameters = { "body.password" = { dictionary = "password", probability = 0.5 } }')
    return "\n".join(lines) + "\n"


def _device_of(token: str):
    return Device.objects.filter(token_digest=devices.token_digest(token))


def _schemathesis(live_server, token: str, config: Path, cwd: Path) -> tuple[int, str]:
    command = [str(SCHEMATHESIS), "--config-file", str(config), "--no-color", "run"]
    command += [f"{live_server.url}/api/schema/", "--url", live_server.url]
    command += ["-H", f"Authorization: Token {token}", "--generation-with-security-parameters", "false"]
    command += ["--checks", ",".join(CHECKS), "--max-examples", str(MAX_EXAMPLES)]
    # Every failing case of an operation, not only the first.
    command += ["--continue-on-failure"]
    # One request at a time: on SQLite the live server shares one in-memory database connection.
    command += ["--workers", "1", "--generation-database", "none", "--request-timeout", "30"]
    if SEED:
        command += ["--seed", SEED]
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "FUZZ_BODY_LIMIT": str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
    }
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    shown = " ".join(shlex.quote(arg) for arg in command).replace(token, "<token>")
    return result.returncode, f"$ {shown}\n{result.stdout}\n{result.stderr}"


def test_every_operation_answers_within_its_schema(
    live_server, world, generous_throttles, push_configured, small_upload_limit, broker_emptied_afterwards, tmp_path
):
    tokens = world["tokens"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(world["ids"], tokens))

    failures = []
    code, output = _schemathesis(live_server, tokens["alice"], config, tmp_path)
    if code != 0:
        failures.append(output)
    # The endings happened (so their success responses were checked too), and only to their people.
    if Membership.objects.filter(user__email="erin@example.com", left_at__isnull=True).exists():
        failures.append("POST /api/v1/couple/leave never succeeded: Erin is still paired")
    if User.objects.filter(email="charlie@example.com").exists():
        failures.append(
            "DELETE /api/v1/me never succeeded: Charlie's account still exists, although the fuzzer is given his "
            "password for the body's `password`; does the schema document the request body it needs?"
        )
    if _device_of(tokens["dana"]).exists():
        failures.append("POST /api/v1/auth/logout never succeeded: Dana's token still works")
    if Device.objects.filter(pk=world["ids"]["device_id"][0]).exists():
        failures.append("DELETE /api/v1/me/devices/{device_id} never succeeded: Frank's other device is signed in")
    assert Membership.objects.filter(user__email="alice@example.com", left_at__isnull=True).exists()
    assert _device_of(tokens["alice"]).exists()
    assert not failures, "Schemathesis found problems:\n\n" + "\n\n".join(failures)
