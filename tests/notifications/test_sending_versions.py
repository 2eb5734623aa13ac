"""The batch sender (`sending.send_batch`: one claim, pushes in flight together, emails over one
connection, one update per outcome) and its plain reference (`sending.send_one_by_one`) agree:
the same mix of deliveries, sent by each from the same state, ends in the same rows, the same
answers to the task, the same messages at the push service and the mail server, and the same
again when the batch is sent a second time and once its retries fall due.

The mix is what a Sunday batch meets: good pushes and emails, a subscription the push service calls
gone (410), a busy push service (429 with Retry-After) and a failing one (500), a subscription
from before keys were checked (the push library raises), a person who paused, one in quiet hours,
one who switched email off, and a reminder whose round is closed.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from notifications import sending, services
from notifications.models import Delivery, Notification, Preferences, PushSubscription
from tests.factories import UserFactory
from tests.notifications.fake_push import Browser, running_push_service

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # noon in UTC+2 zones; quiet hours only where set below

VERSIONS = {"reference": sending.send_one_by_one, "batch": sending.send_batch}


def scenario(push_service) -> list[int]:
    """People, subscriptions and one event's deliveries; returns the delivery ids in batch order."""
    people = {name: UserFactory.create(email=f"{name}@example.com", timezone="UTC") for name in _NAMES}
    for name, person in people.items():
        endpoint = push_service.endpoint(name)
        browser = Browser.new(endpoint)
        keys = {"p256dh": browser.p256dh, "auth": browser.auth}
        if name == "poisoned":
            keys = {"p256dh": "x", "auth": "x"}  # a row from before keys were checked
        PushSubscription.objects.create(user=person, endpoint=endpoint, **keys)
    push_service.answer(push_service.endpoint("gone"), 410)
    push_service.answer(push_service.endpoint("busy"), 429, retry_after=120)
    push_service.answer(push_service.endpoint("failing"), 500, 500)
    with time_machine.travel(T0, tick=False):
        for name, person in people.items():
            kind, subject = ("round_opened", "round:999999") if name == "closed" else ("results_ready", "round:1")
            Notification.objects.create(user=person, kind=kind, subject=subject, title="Ready", body="Look")
        due = services.fan_out(kind="results_ready", subjects=["round:1"])
        due += services.fan_out(kind="round_opened", subjects=["round:999999"])
    # What changed after the fan-out, so that the send itself must notice it.
    Preferences.objects.create(user=people["paused"], paused_until=T0 + timedelta(days=1))
    Preferences.objects.create(user=people["quiet"], quiet_hours_start=time(9), quiet_hours_end=time(11))
    Preferences.objects.create(user=people["no_email"], email=False)
    return sorted(due)


_NAMES = ("ann", "ben", "cleo", "gone", "busy", "failing", "poisoned", "paused", "quiet", "no_email", "closed")


def outcomes(send, push_service) -> list:
    """Send the scenario's batch at T0, again at once, and when its retries are due; what happened."""
    ids = scenario(push_service)
    seen = []
    for moment in (T0, T0, T0 + timedelta(minutes=3)):
        with time_machine.travel(moment, tick=False):
            attempts = send(delivery_ids=ids)
        seen.append(sorted((_key(pk), a.status, a.retry_in) for pk, a in attempts.items()))
    rows = [
        (_key(d.pk), d.status, d.attempts, d.last_error, d.due_at - T0, d.sent_at is not None, d.lease_until)
        for d in Delivery.objects.filter(pk__in=ids)
    ]
    subscriptions = sorted(PushSubscription.objects.values_list("endpoint", flat=True))
    accepted = sorted(r.token for r in push_service.accepted)
    received = sorted(r.token for r in push_service.requests)
    emails = sorted(m.to[0] for m in mail.outbox)
    return [seen, sorted(rows), [s.rsplit("/", 1)[1] for s in subscriptions], accepted, received, emails]


_keys: dict[int, tuple[str, str]] = {}


def _key(delivery_id: int) -> tuple[str, str]:
    """A delivery named by its person and channel: ids differ between the two runs."""
    if delivery_id not in _keys:
        delivery = Delivery.objects.select_related("notification__user").get(pk=delivery_id)
        _keys[delivery_id] = (delivery.notification.user.email, delivery.channel)
    return _keys[delivery_id]


@pytest.mark.django_db
def test_the_batch_sender_and_the_one_by_one_reference_end_in_the_same_state(vapid):
    results = {}
    for name, send in VERSIONS.items():
        mail.outbox = []
        _keys.clear()
        with running_push_service() as push_service, transaction.atomic():
            results[name] = outcomes(send, push_service)
            transaction.set_rollback(True)  # the next version starts from the same empty tables
    assert results["batch"] == results["reference"]

    # And the mix did what it is there for (so that agreement is not agreement on nothing).
    seen, _, subscriptions, accepted, _, emails = results["batch"]
    statuses = {key: status for key, status, _ in seen[0]}
    assert statuses[("ann@example.com", "push")] == statuses[("ann@example.com", "email")] == "sent"
    assert statuses[("gone@example.com", "push")] == "failed"
    assert statuses[("busy@example.com", "push")] == statuses[("failing@example.com", "push")] == "retry"
    assert statuses[("poisoned@example.com", "push")] == "retry"
    assert statuses[("paused@example.com", "push")] == statuses[("closed@example.com", "email")] == "skipped"
    assert statuses[("quiet@example.com", "email")] == "deferred"
    assert statuses[("no_email@example.com", "email")] == "skipped"
    assert "gone" not in subscriptions  # its subscription is forgotten
    assert accepted.count("ann") == 1 and accepted.count("busy") == 1  # busy: sent once its Retry-After passed
    assert emails.count("ann@example.com") == 1 and "no_email@example.com" not in emails


@pytest.mark.django_db
def test_a_batch_that_runs_past_half_its_lease_hands_its_unsent_emails_back_uncounted(vapid, monkeypatch):
    # A mail server slow enough to eat half the lease, made instant: no lease at all to spend.
    monkeypatch.setattr(sending, "SEND_LEASE", timedelta(0))
    mail.outbox = []
    with running_push_service() as push_service:
        ids = scenario(push_service)
        with time_machine.travel(T0, tick=False):
            attempts = sending.send_batch(delivery_ids=ids)
    emails = Delivery.objects.filter(pk__in=ids, channel=Delivery.Channel.EMAIL, status="pending", due_at__lte=T0)
    assert emails.exists() and mail.outbox == []
    for email in emails:
        # Back to pending, the attempt not counted, and sent again at once by a task of its own.
        assert (email.attempts, email.lease_until, email.last_error) == (0, None, "")
        assert attempts[email.pk] == sending.Attempt(status="retry", retry_in=0)
    ann = Delivery.objects.get(notification__user__email="ann@example.com", channel=Delivery.Channel.PUSH)
    assert ann.status == "sent"  # the pushes were in flight meanwhile and went out
