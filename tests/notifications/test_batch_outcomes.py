"""A batch of deliveries (`sending.deliveries_send`: one claim, pushes in flight together, emails
over one connection, one update per outcome) as a Sunday batch meets it: good pushes and emails, a
subscription the push service calls gone (410), a busy push service (429 with Retry-After) and a
failing one (500), a subscription from before keys were checked (the push library raises), a person
who paused, one in quiet hours, one who switched email off, and a reminder whose round is closed.
Sent, sent again at once, and sent when the retries fall due: what the task is told each time, and
what reached the push service and the mail server in the end.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import sending, services
from notifications.models import Delivery, Notification, Preferences, PushSubscription
from tests.factories import UserFactory
from tests.notifications.fake_push import Browser

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # noon in UTC+2 zones; quiet hours only where set below


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


def person_and_channel(delivery_id: int) -> tuple[str, str]:
    delivery = Delivery.objects.select_related("notification__user").get(pk=delivery_id)
    return delivery.notification.user.email.split("@")[0], delivery.channel


def told(attempts: dict[int, sending.Attempt]) -> dict[tuple[str, str], tuple[str, float | None]]:
    """What the task was told of each delivery, by person and channel, leaving out `not_due`."""
    return {
        person_and_channel(pk): (attempt.status, attempt.retry_in)
        for pk, attempt in attempts.items()
        if attempt.status != "not_due"
    }


SENT = ("sent", None)


@pytest.mark.django_db
def test_a_sunday_batch_sends_each_message_once_and_tells_the_task_what_became_of_each(vapid, push_service):
    mail.outbox = []
    ids = scenario(push_service)
    with time_machine.travel(T0, tick=False):
        first = told(sending.deliveries_send(delivery_ids=ids))
        again = told(sending.deliveries_send(delivery_ids=ids))
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        retries_due = told(sending.deliveries_send(delivery_ids=ids))

    assert first == {
        **{(name, channel): SENT for name in ("ann", "ben", "cleo") for channel in ("push", "email")},
        **{(name, "email"): SENT for name in ("gone", "busy", "failing", "poisoned")},
        ("gone", "push"): ("failed", None),
        ("busy", "push"): ("retry", 120),  # the push service's Retry-After, longer than the backoff
        ("failing", "push"): ("retry", sending.BACKOFF_BASE_SECONDS),
        ("poisoned", "push"): ("retry", sending.BACKOFF_BASE_SECONDS),
        ("paused", "push"): ("skipped", None),
        ("paused", "email"): ("skipped", None),
        ("quiet", "push"): ("deferred", None),
        ("quiet", "email"): ("deferred", None),
        ("no_email", "push"): SENT,
        ("no_email", "email"): ("skipped", None),
        ("closed", "push"): ("skipped", None),
        ("closed", "email"): ("skipped", None),
    }
    assert again == {}  # nothing sent twice, nothing due yet
    assert retries_due == {
        ("busy", "push"): SENT,
        ("failing", "push"): ("retry", 2 * sending.BACKOFF_BASE_SECONDS),
        ("poisoned", "push"): ("retry", 2 * sending.BACKOFF_BASE_SECONDS),
    }

    assert sorted(r.token for r in push_service.accepted) == ["ann", "ben", "busy", "cleo", "no_email"]
    assert sorted(m.to[0].split("@")[0] for m in mail.outbox) == [
        "ann", "ben", "busy", "cleo", "failing", "gone", "poisoned"
    ]  # fmt: skip
    assert push_service.endpoint("gone") not in PushSubscription.objects.values_list("endpoint", flat=True)
    quiet = Delivery.objects.filter(notification__user__email="quiet@example.com")
    assert {(d.status, d.due_at, d.attempts) for d in quiet} == {("pending", T0 + timedelta(hours=1), 0)}


@pytest.mark.django_db
def test_a_batch_that_runs_past_half_its_lease_hands_its_unsent_emails_back_uncounted(vapid, push_service, monkeypatch):
    # A mail server slow enough to eat half the lease, made instant: no lease at all to spend.
    monkeypatch.setattr(sending, "SEND_LEASE", timedelta(0))
    mail.outbox = []
    ids = scenario(push_service)
    with time_machine.travel(T0, tick=False):
        attempts = sending.deliveries_send(delivery_ids=ids)
    emails = Delivery.objects.filter(pk__in=ids, channel=Delivery.Channel.EMAIL, status="pending", due_at__lte=T0)
    assert emails.exists() and mail.outbox == []
    for email in emails:
        # Back to pending, the attempt not counted, and sent again at once by a task of its own.
        assert (email.attempts, email.lease_until, email.last_error) == (0, None, "")
        assert attempts[email.pk] == sending.Attempt(status="retry", retry_in=0)
    ann = Delivery.objects.get(notification__user__email="ann@example.com", channel=Delivery.Channel.PUSH)
    assert ann.status == "sent"  # the pushes were in flight meanwhile and went out
