"""The logs of a whole check-in, written by a real web process (the Procfile's gunicorn) and a real
Celery worker with LOG_FORMAT=json at DEBUG: one JSON object a line, the request's id in the lines
of the tasks it queued, and nothing of a person's in any line (no note, rating, token, password or
email address). Only the outside world is stood in for: a local push service and SMTP server."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from django.conf import settings

from notifications.models import Delivery
from tests.factories import PASSWORD, UserFactory
from tests.integration.processes import Http, start_web, start_worker, stop, wait_for
from tests.local_smtp import running_smtp_server
from tests.notifications.fake_push import PUSH_SUBSCRIPTIONS_URL, Browser, running_push_service, vapid_key_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REVEAL_REQUEST_ID = "reveal-4b7e1c9a-request"


def json_lines(path: Path) -> list[dict]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    # Celery prints its start-up banner on the terminal, outside logging; every logged event is JSON.
    events = [line for line in lines if not _is_celery_banner(line)]
    return [json.loads(line) for line in events]


def _is_celery_banner(line: str) -> bool:
    return not line.startswith("{")


def test_a_whole_check_in_logs_json_lines_that_name_the_request_and_hold_nothing_private(tmp_path):
    broker = settings.CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    private, public = vapid_key_pair()
    alice, bob = UserFactory.create(), UserFactory.create()
    with running_push_service() as push_service, running_smtp_server() as mailbox:
        env = {
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            "VAPID_PRIVATE_KEY": private,
            "VAPID_PUBLIC_KEY": public,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mailbox.port),
        }
        web, origin = start_web(broker=broker, log_path=tmp_path / "web.log", env=env)
        env["APP_BASE_URL"] = env["API_BASE_URL"] = origin
        worker = start_worker(broker=broker, log_path=tmp_path / "worker.log", env=env)
        try:
            http = Http(origin)
            # A mistyped password, then both sign in.
            status, _, _ = http.call("POST", "/api/v1/auth/login", {"email": alice.email, "password": "x" + PASSWORD})
            assert status == 400
            tokens = {}
            for person in (alice, bob):
                status, body, _ = http.call("POST", "/api/v1/auth/login", {"email": person.email, "password": PASSWORD})
                assert status == 200, body
                tokens[person] = body["token"]
            status, invite, _ = http.call("POST", "/api/v1/couple/invites", token=tokens[alice])
            assert status == 201, invite
            status, body, _ = http.call("POST", "/api/v1/couple/join", {"code": invite["code"]}, token=tokens[bob])
            assert status == 201, body
            browsers = {person: Browser.new(push_service.endpoint()) for person in (alice, bob)}
            for person, browser in browsers.items():
                subscription = browser.subscription_json()
                status, body, _ = http.call("POST", PUSH_SUBSCRIPTIONS_URL, subscription, token=tokens[person])
                assert status == 201, body

            status, checkin, _ = http.call("POST", "/api/v1/checkins", token=tokens[alice])
            assert status == 201, checkin
            answer_url = f"/api/v1/checkins/{checkin['id']}/response"
            notes = {
                alice: ("alice-shares-quokka-lantern", "alice-keeps-pelican-harbour"),
                bob: ("bob-shares-walrus-meadow", "bob-keeps-heron-quarry"),
            }
            ratings = {alice: (2, 5), bob: (4, 1)}
            # A rating out of range, with the notes: a 400 (logged by Django) that names no value.
            bad = {"connection": 9, "independence": 3, "note": notes[alice][0], "private_note": notes[alice][1]}
            status, _, _ = http.call("PUT", answer_url, bad, token=tokens[alice])
            assert status == 400
            for person, headers in ((alice, {}), (bob, {"X-Request-ID": REVEAL_REQUEST_ID})):
                (connection, independence), (note, private_note) = ratings[person], notes[person]
                answer = {"connection": connection, "independence": independence, "note": note}
                status, body, answered = http.call(
                    "PUT", answer_url, {**answer, "private_note": private_note}, token=tokens[person], headers=headers
                )
                assert status == 200, body
                request_id = answered["X-Request-ID"]
                assert request_id == REVEAL_REQUEST_ID if headers else re.fullmatch("[0-9a-f]{32}", request_id)

            # The reveal tells both partners: a push to each, through the worker, and their emails.
            wait_for(lambda: len(push_service.accepted) >= 3, worker, "push the round and its reveal")
            waiting = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
            wait_for(lambda: not waiting.exists(), worker, "send every delivery")
            sent = Delivery.objects.filter(status=Delivery.Status.SENT)
            assert {"push", "email"} <= set(sent.values_list("channel", flat=True))
            assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()
            email = next(message for message in mailbox.messages if message["To"] == alice.email)
            unsubscribe_url = email["List-Unsubscribe"].strip("<>")
            unsubscribe_token = parse_qs(urlsplit(unsubscribe_url).query)["token"][0]
            # A link mangled on its way (a mail client that added a character): a 400, logged.
            status, _, _ = http.call("GET", unsubscribe_url + "x")
            assert status == 400
        finally:
            stop(web)
            stop(worker)
            redis.Redis.from_url(broker).flushdb()

    web_lines, worker_lines = json_lines(web.log_path), json_lines(worker.log_path)
    assert any(line["logger"] == "django.request" and line["status_code"] == 400 for line in web_lines)
    # The reveal's request id is in the lines of the tasks it queued, and of those they queued.
    revealed = " ".join(line["message"] for line in worker_lines if line["request_id"] == REVEAL_REQUEST_ID)
    assert "notifications.fan_out" in revealed and "notifications.deliver_batch" in revealed, revealed

    everything = web.log_path.read_text() + worker.log_path.read_text()
    secrets = [
        PASSWORD,
        *(note for pair in notes.values() for note in pair),
        *(person.email for person in (alice, bob)),
        *tokens.values(),
        invite["code"],
        invite["code"].replace("-", ""),
        unsubscribe_token,
        *(browser.endpoint.rsplit("/", 1)[1] for browser in browsers.values()),
        *(key for browser in browsers.values() for key in (browser.p256dh, browser.auth)),
    ]
    assert [secret for secret in secrets if secret in everything] == []
    assert not re.search(r"(connection|independence)\W{0,3}[:=]\W{0,3}[1-9]", everything)
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", everything)
