"""Web Push end to end against a real local push service (tests/notifications/fake_push.py).

Nothing of ours is mocked: a person subscribes through the API with a browser's own keys, an event
is filed with `notify`, `fan_out` makes the deliveries and `delivery_send` sends them with
pywebpush over HTTP to the fake push service, which records what it got. The test then decrypts
the message with the browser's private key, as the browser would.
"""

import hashlib
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.db import connection

from checkin import services as checkin_services
from notifications import channels, policy, sending, services, tasks
from notifications.models import Delivery, Notification, PushSubscription
from tests.builders import client_for
from tests.notifications.fake_push import (
    PUSH_SUBSCRIPTIONS_URL,
    Browser,
    b64url,
    running_push_service,
    vapid_public_key,
)

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 13:00 in Riga: no quiet hours in the way


def subscribe(person, push_service, token: str | None = None) -> tuple[Browser, PushSubscription]:
    """`person`'s browser subscribes to `push_service` through the API."""
    browser = Browser.new(push_service.endpoint(token))
    response = browser.subscribe(client_for(person))
    assert response.status_code == 201, response.content
    return browser, PushSubscription.objects.get(pk=response.json()["id"])


def event(person_ids, django_capture_on_commit_callbacks, *, kind="results_ready", subject="round:1") -> list[int]:
    """File an event with `notify` and run its fan-out as the task would; returns the due delivery ids.

    The hand-off to the broker (on commit) is captured and checked, not sent: the fan-out task's
    body, services.fan_out, runs here instead.
    """
    with django_capture_on_commit_callbacks() as handed_off:
        services.notify(user_ids=person_ids, kind=kind, subject=subject)
    assert len(handed_off) == 2  # the fan-out's hand-off, and the open apps told (couples/live.py)
    return fan_out(kind, subject)


def fan_out(kind: str, subject: str) -> list[int]:
    """The fan-out task's body for one event."""
    return services.fan_out(kind=kind, subjects=[subject])


def push_delivery(person) -> Delivery:
    return Delivery.objects.get(notification__user=person, channel=Delivery.Channel.PUSH)


# Arrival


@pytest.mark.django_db
def test_results_arrive_encrypted_with_ttl_urgency_and_a_vapid_signature_for_this_push_service(
    seats, push_service, vapid, django_capture_on_commit_callbacks
):
    alice, bob = seats.alice, seats.bob
    browser, subscription = subscribe(alice, push_service)
    # A real round: both answer, with ratings and notes; the second answer reveals and notifies.
    checkin_round = checkin_services.round_open_now(user=alice)
    with django_capture_on_commit_callbacks():
        checkin_services.answer_submit(
            user=alice, round_id=checkin_round.pk, connection=2, independence=5, note="NOTE-ALICE-zebra"
        )
        checkin_services.answer_submit(
            user=bob,
            round_id=checkin_round.pk,
            connection=5,
            independence=1,
            note="NOTE-BOB-giraffe",
            private_note="PRIVATE-BOB-okapi",
        )
    subject = f"round:{checkin_round.pk}"
    due = fan_out("results_ready", subject)
    notification = Notification.objects.get(user=alice, kind="results_ready", subject=subject)
    delivery = Delivery.objects.get(notification=notification, channel=Delivery.Channel.PUSH)
    assert delivery.pk in due
    assert delivery.target == f"subscription:{subscription.pk}"

    assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"

    [message] = push_service.received_for(browser.endpoint)
    assert message.accepted and push_service.accepted == [message]
    headers = message.headers
    assert int(headers["ttl"]) == policy.TTL_SECONDS["results_ready"] > 0
    assert headers["urgency"] == policy.URGENCY["results_ready"]
    assert headers["content-encoding"] == "aes128gcm"
    # Signed with the server's VAPID key, for this push service's origin, not yet expired.
    assert headers["authorization"].startswith("vapid t=")
    assert vapid_public_key(headers["authorization"]) == settings.VAPID_PUBLIC_KEY
    claims = message.claims
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == settings.VAPID_SUBJECT
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600  # RFC 8292: at most a day ahead
    # Encrypted: the words are not in the body, and only the subscriber's key opens it.
    assert notification.title.encode() not in message.body
    payload = browser.read(message)
    assert payload == {
        "id": notification.pk,
        "kind": "results_ready",
        "title": notification.title,
        "body": notification.body,
        "tag": f"tandem-{notification.pk}",
        "url": f"{settings.APP_BASE_URL.rstrip('/')}/notifications/{notification.pk}",
    }
    # Safe on a lock screen: no rating and no note of either partner.
    plain = str(payload)
    for secret in ("NOTE-ALICE-zebra", "NOTE-BOB-giraffe", "PRIVATE-BOB-okapi", "connection", "independence"):
        assert secret not in plain
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None and delivery.lease_until is None
    # Bob has no subscription: he gets an email and no push.
    assert not Delivery.objects.filter(notification__user=bob, channel=Delivery.Channel.PUSH).exists()


@pytest.mark.django_db
def test_each_push_service_gets_its_own_audience(person, push_service, vapid, django_capture_on_commit_callbacks):
    with running_push_service() as other_service:
        assert other_service.origin != push_service.origin
        first, _ = subscribe(person, push_service)
        second, _ = subscribe(person, other_service)
        due = event([person.pk], django_capture_on_commit_callbacks)
        pushes = Delivery.objects.filter(pk__in=due, channel=Delivery.Channel.PUSH).order_by("pk")
        assert pushes.count() == 2
        for delivery in pushes:
            assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"

        [to_first] = push_service.accepted_for(first.endpoint)
        [to_second] = other_service.accepted_for(second.endpoint)
    # A fresh claims dict per send: the second send does not carry the first service's audience.
    assert to_first.claims["aud"] == push_service.origin
    assert to_second.claims["aud"] == other_service.origin
    assert first.read(to_first)["id"] == second.read(to_second)["id"]


# Answers of the push service


@pytest.mark.django_db
@pytest.mark.parametrize("status", [410, 404])
def test_a_subscription_the_push_service_no_longer_knows_is_deleted_and_the_delivery_fails(
    status, person, push_service, vapid, django_capture_on_commit_callbacks
):
    browser, subscription = subscribe(person, push_service)
    event([person.pk], django_capture_on_commit_callbacks)
    push_service.answer(browser.endpoint, status)
    delivery = push_delivery(person)

    assert sending.delivery_send(delivery_id=delivery.pk).status == "failed"

    assert len(push_service.received_for(browser.endpoint)) == 1
    assert push_service.accepted == []
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert str(status) in delivery.last_error
    assert delivery.subscription_id is None and delivery.lease_until is None
    # Failed for good: it is not claimed again, and the next event makes no push delivery.
    assert sending.delivery_send(delivery_id=delivery.pk).status == "not_due"
    event([person.pk], django_capture_on_commit_callbacks, subject="round:2")
    assert not Delivery.objects.filter(notification__subject="round:2", channel=Delivery.Channel.PUSH).exists()
    assert len(push_service.requests) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "retry_after", "wait"),
    [
        (429, 120, 120),  # the push service's Retry-After, longer than the first backoff
        (429, 5, sending.BACKOFF_BASE_SECONDS),  # a shorter Retry-After never undercuts the backoff
        (500, None, sending.BACKOFF_BASE_SECONDS),
        (503, None, sending.BACKOFF_BASE_SECONDS),
    ],
)
def test_a_temporary_refusal_leaves_the_delivery_pending_until_later_and_then_it_arrives(
    status, retry_after, wait, person, push_service, vapid, django_capture_on_commit_callbacks
):
    browser, subscription = subscribe(person, push_service)
    push_service.answer(browser.endpoint, status, retry_after=retry_after)
    with time_machine.travel(T0, tick=False):
        event([person.pk], django_capture_on_commit_callbacks)
        delivery = push_delivery(person)
        attempt = sending.delivery_send(delivery_id=delivery.pk)
    assert attempt.status == "retry"
    # Within the broker's visibility timeout the task retries itself; beyond it the sweep does.
    assert attempt.retry_in == (wait if wait <= settings.MAX_TASK_DELAY_SECONDS else None)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == ("pending", 1, None)
    assert delivery.due_at >= T0 + timedelta(seconds=wait)
    assert str(status) in delivery.last_error
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()

    # Not before it is due: nothing is claimed and nothing is sent.
    with time_machine.travel(delivery.due_at - timedelta(seconds=1), tick=False):
        assert sending.delivery_send(delivery_id=delivery.pk).status == "not_due"
    assert len(push_service.requests) == 1

    with time_machine.travel(delivery.due_at + timedelta(seconds=1), tick=False):
        assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert [r.status for r in push_service.received_for(browser.endpoint)] == [status, 201]
    [message] = push_service.accepted
    assert browser.read(message)["id"] == delivery.notification_id


def deliver_as_a_worker(delivery_id: int) -> bool:
    """Run the deliver task's body as a worker runs it (so that a retry goes to the broker);
    whether it asked to be retried."""
    # The stubs type push_request's keywords as the task's own; Celery takes the request's fields.
    request = {"id": f"deliver-{delivery_id}", "args": [delivery_id], "kwargs": {}, "called_directly": False}
    tasks.deliver.push_request(**request)  # type: ignore[call-arg]
    try:
        tasks.deliver.run(delivery_id)
    except Retry:
        return True
    finally:
        tasks.deliver.pop_request()
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("retry_after", [120, settings.MAX_TASK_DELAY_SECONDS])
def test_the_deliver_task_tries_a_refused_push_again_when_the_push_service_asked(
    retry_after, person, push_service, vapid, broker_messages, django_capture_on_commit_callbacks
):
    browser, _ = subscribe(person, push_service)
    push_service.answer(browser.endpoint, 429, retry_after=retry_after)
    with time_machine.travel(T0, tick=False):
        event([person.pk], django_capture_on_commit_callbacks)
        delivery = push_delivery(person)
        assert deliver_as_a_worker(delivery.pk)
    # Once, on the sending queue, to run when the push service said: within the broker's
    # visibility timeout, so the broker never hands it to a second worker meanwhile.
    assert broker_messages.waiting("deliver") == [
        ("notifications.deliver", (delivery.pk,), T0 + timedelta(seconds=retry_after))
    ]
    assert retry_after < settings.CELERY_VISIBILITY_TIMEOUT_SECONDS


@pytest.mark.django_db
def test_a_wait_longer_than_a_task_may_be_delayed_is_left_to_the_sweep_not_to_the_broker(
    person, push_service, vapid, broker_messages, django_capture_on_commit_callbacks
):
    browser, _ = subscribe(person, push_service)
    push_service.answer(browser.endpoint, 429, retry_after=settings.MAX_TASK_DELAY_SECONDS + 1)
    with time_machine.travel(T0, tick=False):
        event([person.pk], django_capture_on_commit_callbacks)
        delivery = push_delivery(person)
        assert not deliver_as_a_worker(delivery.pk)
    assert broker_messages.waiting("deliver") == []
    delivery.refresh_from_db()
    assert delivery.status == "pending"  # the sweep finds it once it is due


@pytest.mark.django_db
def test_a_due_retry_is_found_by_the_sweep(person, push_service, vapid, django_capture_on_commit_callbacks):
    browser, _ = subscribe(person, push_service)
    push_service.answer(browser.endpoint, 429, retry_after=3600)  # beyond any task countdown
    with time_machine.travel(T0, tick=False):
        event([person.pk], django_capture_on_commit_callbacks)
        delivery = push_delivery(person)
        attempt = sending.delivery_send(delivery_id=delivery.pk)
    assert attempt.status == "retry" and attempt.retry_in is None  # left to the sweep
    delivery.refresh_from_db()
    assert delivery.due_at >= T0 + timedelta(hours=1)
    assert delivery.pk not in services.sweep(now=T0 + timedelta(minutes=59))["deliveries"]
    later = delivery.due_at + timedelta(minutes=1)
    assert delivery.pk in services.sweep(now=later)["deliveries"]
    with time_machine.travel(later, tick=False):
        assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"
    assert len(push_service.accepted_for(browser.endpoint)) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_a_delivery_fails_with_the_error_recorded(
    person, push_service, vapid, django_capture_on_commit_callbacks
):
    browser, subscription = subscribe(person, push_service)
    push_service.answer(browser.endpoint, *[503] * sending.MAX_ATTEMPTS)
    now = T0
    with time_machine.travel(now, tick=False):
        event([person.pk], django_capture_on_commit_callbacks)
    delivery = push_delivery(person)
    outcomes = []
    for _ in range(sending.MAX_ATTEMPTS):
        with time_machine.travel(now, tick=False):
            outcomes.append(sending.delivery_send(delivery_id=delivery.pk).status)
        delivery.refresh_from_db()
        now = delivery.due_at + timedelta(seconds=1)

    assert outcomes == ["retry"] * (sending.MAX_ATTEMPTS - 1) + ["failed"]
    assert delivery.status == "failed"
    assert delivery.attempts == sending.MAX_ATTEMPTS
    assert delivery.last_error == f"gave up after {sending.MAX_ATTEMPTS} attempts: push service answered 503"
    assert len(push_service.received_for(browser.endpoint)) == sending.MAX_ATTEMPTS
    assert push_service.accepted == []
    # A temporary refusal never removes the subscription.
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    with time_machine.travel(now + timedelta(days=1), tick=False):
        assert sending.delivery_send(delivery_id=delivery.pk).status == "not_due"
    assert len(push_service.requests) == sending.MAX_ATTEMPTS


# Once only


@pytest.mark.django_db
def test_sending_twice_or_fanning_out_twice_sends_one_message(
    person, push_service, vapid, django_capture_on_commit_callbacks
):
    browser, _ = subscribe(person, push_service)
    due = event([person.pk], django_capture_on_commit_callbacks)
    deliveries = Delivery.objects.count()
    # The same event filed again, and its fan-out run again (a duplicated or redelivered task).
    with django_capture_on_commit_callbacks():
        services.notify(user_ids=[person.pk], kind="results_ready", subject="round:1")
    assert fan_out("results_ready", "round:1") == []
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == deliveries == 2  # push and email
    delivery = push_delivery(person)

    assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"
    assert sending.delivery_send(delivery_id=delivery.pk).status == "not_due"
    for delivery_id in due:
        sending.delivery_send(delivery_id=delivery_id)

    assert len(push_service.requests) == 1
    [message] = push_service.accepted_for(browser.endpoint)
    assert browser.read(message)["id"] == delivery.notification_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_delivery_at_the_same_instant_send_it_once(person, push_service, vapid):
    assert connection.vendor == "postgresql"
    browser, _ = subscribe(person, push_service)
    # Filed without `notify`, whose hand-off would go to the broker at once outside a test transaction.
    Notification.objects.create(user=person, kind="results_ready", subject="round:1", title="Ready", body="Look")
    fan_out("results_ready", "round:1")
    delivery = push_delivery(person)
    barrier = threading.Barrier(4)
    outcomes = []

    def send():
        try:
            barrier.wait(timeout=10)
            outcomes.append(sending.delivery_send(delivery_id=delivery.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["not_due"] * 3 + ["sent"]
    assert len(push_service.requests) == 1
    assert len(push_service.accepted_for(browser.endpoint)) == 1


# Subscriptions


@pytest.mark.django_db
def test_the_same_endpoint_registered_twice_is_one_subscription(person, push_service):
    browser = Browser.new(push_service.endpoint())
    api = client_for(person)
    first = browser.subscribe(api)
    again = browser.subscribe(api)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["endpoint"] == browser.endpoint
    assert PushSubscription.objects.filter(endpoint=browser.endpoint).count() == 1
    # The browser renewed its keys: the one row has the new ones.
    renewed = Browser.new(browser.endpoint)
    assert renewed.subscribe(api).json()["id"] == first.json()["id"]
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.p256dh, subscription.auth) == (person, renewed.p256dh, renewed.auth)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://10.0.0.1/x",
        "https://192.168.1.20/push/abc",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "http://example.com/x",
        "http://93.184.216.34/x",
        "ftp://93.184.216.34/x",
    ],
)
def test_an_endpoint_that_is_not_public_https_is_refused(endpoint, person, settings):
    settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    response = Browser.new(endpoint).subscribe(client_for(person))
    assert response.status_code == 400, response.content
    assert "endpoint" in response.json()
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db
def test_the_fake_push_service_itself_is_refused_outside_dev_and_test(person, push_service, settings):
    settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    response = Browser.new(push_service.endpoint()).subscribe(client_for(person))
    assert response.status_code == 400
    # A public https endpoint (an address literal: no DNS needed) is accepted.
    response = Browser.new("https://93.184.216.34/push/abc").subscribe(client_for(person))
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_an_endpoint_that_is_no_longer_allowed_at_send_time_is_not_called(
    person, push_service, vapid, settings, django_capture_on_commit_callbacks
):
    subscribe(person, push_service)
    event([person.pk], django_capture_on_commit_callbacks)
    settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS = False  # e.g. a host name re-pointed at a private address
    delivery = push_delivery(person)
    assert sending.delivery_send(delivery_id=delivery.pk).status == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == "The endpoint must be an https URL."
    assert push_service.requests == []


@pytest.mark.django_db
def test_deleting_another_persons_subscription_is_a_404_and_ones_own_a_204(seats, push_service):
    _, alices = subscribe(seats.alice, push_service)
    url = f"{PUSH_SUBSCRIPTIONS_URL}/{alices.pk}"
    assert seats.bob_api.delete(url).status_code == 404
    assert seats.charlie_api.delete(url).status_code == 404
    assert seats.anonymous_api.delete(url).status_code == 401
    assert PushSubscription.objects.filter(pk=alices.pk).exists()
    assert seats.alice_api.delete(url).status_code == 204
    assert not PushSubscription.objects.exists()
    assert seats.alice_api.delete(url).status_code == 404


def _off_curve_point() -> str:
    """65 bytes that look like an uncompressed point (0x04, x, y) but are not on P-256."""
    return b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("keys", "field"),
    [
        ({"p256dh": "x", "auth": "x"}, "p256dh"),  # what a careless client sends
        ({"p256dh": _off_curve_point(), "auth": b64url(bytes(16))}, "p256dh"),
        ({"p256dh": "BAd!key*", "auth": b64url(bytes(16))}, "p256dh"),  # not base64url
        ({"p256dh": "valid", "auth": b64url(bytes(15))}, "auth"),  # one byte short
        ({"p256dh": "valid", "auth": "x"}, "auth"),
    ],
)
def test_subscription_keys_that_cannot_be_encrypted_to_are_a_400_naming_the_field(keys, field, person, push_service):
    browser = Browser.new(push_service.endpoint())
    body = browser.subscription_json()
    body["keys"] = {name: (browser.p256dh if value == "valid" else value) for name, value in keys.items()}
    response = client_for(person).post(PUSH_SUBSCRIPTIONS_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["keys"] and field in response.json()["keys"]
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db
def test_a_subscription_that_breaks_the_push_library_fails_alone_and_the_rest_of_its_batch_arrives(
    person, push_service, vapid, django_capture_on_commit_callbacks
):
    # A row from before keys were checked: pywebpush raises binascii.Error on its key.
    poisoned = PushSubscription.objects.create(user=person, endpoint=push_service.endpoint(), p256dh="x", auth="x")
    browsers = [Browser.new(push_service.endpoint()) for _ in range(3)]
    for browser in browsers:
        assert browser.subscribe(client_for(person)).status_code == 201
    now = T0
    with time_machine.travel(now, tick=False):
        due = event([person.pk], django_capture_on_commit_callbacks)
    pushes = Delivery.objects.filter(pk__in=due, channel=Delivery.Channel.PUSH)
    bad = pushes.get(subscription=poisoned)
    ordered = [bad.pk, *pushes.exclude(pk=bad.pk).values_list("pk", flat=True)]  # the bad one first

    with time_machine.travel(now, tick=False):
        attempts = sending.deliveries_send(delivery_ids=ordered)
    assert attempts[bad.pk].status == "retry"
    assert [attempts[pk].status for pk in ordered[1:]] == ["sent"] * 3
    assert sorted(len(push_service.accepted_for(b.endpoint)) for b in browsers) == [1, 1, 1]
    bad.refresh_from_db()
    assert (bad.status, bad.last_error) == ("pending", "unexpected Error")

    # Retried within the attempt limit, then failed for good; the good ones are never sent again.
    outcomes = []
    for _ in range(sending.MAX_ATTEMPTS - 1):
        now = bad.due_at + timedelta(seconds=1)
        with time_machine.travel(now, tick=False):
            outcomes.append(sending.deliveries_send(delivery_ids=ordered)[bad.pk].status)
        bad.refresh_from_db()
    assert outcomes == ["retry"] * (sending.MAX_ATTEMPTS - 2) + ["failed"]
    assert bad.status == "failed" and bad.attempts == sending.MAX_ATTEMPTS
    assert len(push_service.accepted) == 3


@pytest.mark.django_db
def test_a_push_carries_a_topic_per_subject_that_tells_nothing_of_it(
    seats, push_service, vapid, django_capture_on_commit_callbacks, settings
):
    browser, _ = subscribe(seats.bob, push_service)
    # Alice checks in now, so Bob is told; later he is nudged about that same round.
    round_id = seats.alice_api.post("/api/v1/checkins").json()["id"]
    subject = f"round:{round_id}"
    for kind in ("round_opened", "nudge"):
        if kind == "nudge":
            with django_capture_on_commit_callbacks():
                checkin_services.round_nudge(round_id=round_id, now=datetime.now(UTC))
        for delivery_id in fan_out(kind, subject):
            assert sending.delivery_send(delivery_id=delivery_id).status == "sent"
    # And a message about something else.
    for delivery_id in event([seats.bob.pk], django_capture_on_commit_callbacks, subject=f"round:{round_id + 1}"):
        assert sending.delivery_send(delivery_id=delivery_id).status == "sent"
    opened, nudge, other = (r.headers["topic"] for r in push_service.received_for(browser.endpoint))
    # A newer message on one subject replaces one the push service still holds; another subject's does not.
    assert opened == nudge != other
    # RFC 8030: at most 32 characters of the URL-safe base64 alphabet.
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,32}", opened)
    # A hash keyed by the server's secret: not the subject, nor a plain hash anyone could make of it.
    assert "round" not in opened.lower()
    plain = subject.encode()
    assert opened not in {b64url(hashlib.sha256(plain).digest())[:32], b64url(hashlib.md5(plain).digest())}
    settings.SECRET_KEY = "another-deployment-" + "x" * 40
    assert channels.push_topic(subject) != opened
