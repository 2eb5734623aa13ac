"""Quiet hours (in the person's own zone, across midnight and DST) and pauses."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import policy, sending, services
from notifications.models import Delivery, Notification, Preferences
from tests.builders import notified

RIGA = "Europe/Riga"
NEW_YORK = "America/New_York"


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class TestQuietUntil:
    def test_outside_quiet_hours_nothing_is_deferred(self):
        # 12:00 UTC = 15:00 in Riga (summer), outside 22:00-07:00.
        assert policy.quiet_until(now=at(2026, 7, 1, 12), start=time(22), end=time(7), timezone=RIGA) is None

    def test_late_evening_defers_to_the_next_morning_across_midnight(self):
        # 20:30 UTC = 23:30 in Riga; quiet until 07:00 local tomorrow = 04:00 UTC.
        until = policy.quiet_until(now=at(2026, 7, 1, 20, 30), start=time(22), end=time(7), timezone=RIGA)
        assert until == at(2026, 7, 2, 4)

    def test_early_morning_defers_to_the_same_morning(self):
        until = policy.quiet_until(now=at(2026, 7, 1, 1), start=time(22), end=time(7), timezone=RIGA)
        assert until == at(2026, 7, 1, 4)

    def test_the_end_itself_is_no_longer_quiet_and_the_start_is(self):
        assert policy.quiet_until(now=at(2026, 7, 1, 4), start=time(22), end=time(7), timezone=RIGA) is None
        assert policy.quiet_until(now=at(2026, 7, 1, 19), start=time(22), end=time(7), timezone=RIGA) == at(
            2026, 7, 2, 4
        )

    def test_quiet_hours_within_one_day(self):
        assert policy.quiet_until(now=at(2026, 7, 1, 11), start=time(13), end=time(15), timezone=RIGA) == at(
            2026, 7, 1, 12
        )
        assert policy.quiet_until(now=at(2026, 7, 1, 12, 30), start=time(13), end=time(15), timezone=RIGA) is None

    def test_across_the_spring_forward_night_the_end_follows_the_local_clock(self):
        # New York springs forward on 2026-03-08. 23:00 EST on the 7th = 04:00 UTC on the 8th;
        # quiet until 07:00 local, which is now EDT (UTC-4): 11:00 UTC, not 12:00.
        until = policy.quiet_until(now=at(2026, 3, 8, 4), start=time(22), end=time(7), timezone=NEW_YORK)
        assert until == at(2026, 3, 8, 11)

    def test_across_the_fall_back_night_the_end_follows_the_local_clock(self):
        # Falls back on 2026-11-01: 23:00 EDT on Oct 31 = 03:00 UTC; 07:00 EST = 12:00 UTC.
        until = policy.quiet_until(now=at(2026, 11, 1, 3), start=time(22), end=time(7), timezone=NEW_YORK)
        assert until == at(2026, 11, 1, 12)

    def test_quiet_hours_that_end_in_the_missing_hour_end_when_the_clock_allows(self):
        # 00:00-02:30 on spring-forward night: 02:30 does not exist, 03:30 EDT = 07:30 UTC.
        until = policy.quiet_until(now=at(2026, 3, 8, 6), start=time(0), end=time(2, 30), timezone=NEW_YORK)
        assert until == at(2026, 3, 8, 7, 30)


@pytest.fixture
def quiet_person(person):
    Preferences.objects.create(user=person, quiet_hours_start=time(22), quiet_hours_end=time(7))
    return person


@pytest.mark.django_db
def test_a_delivery_due_in_quiet_hours_waits_for_their_end_and_then_arrives(quiet_person):
    with time_machine.travel(at(2026, 7, 1, 20, 30), tick=False):  # 23:30 in Riga
        assert notified(quiet_person) == []  # nothing is due now
        delivery = Delivery.objects.get(channel="email")
        assert delivery.due_at == at(2026, 7, 2, 4)
        assert sending.delivery_send(delivery_id=delivery.pk).status == "not_due"
        assert mail.outbox == []
    with time_machine.travel(at(2026, 7, 2, 4, 1), tick=False):
        assert services.sweep(now=at(2026, 7, 2, 4, 1) + timedelta(minutes=1))["deliveries"] == [delivery.pk]
        assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_delivery_that_reaches_a_worker_inside_quiet_hours_is_deferred_not_dropped(person):
    with time_machine.travel(at(2026, 7, 1, 18), tick=False):  # 21:00 in Riga, not quiet yet
        notified(person)
        delivery = Delivery.objects.get(channel="email")
        Preferences.objects.create(user=person, quiet_hours_start=time(21), quiet_hours_end=time(7))
        assert sending.delivery_send(delivery_id=delivery.pk).status == "deferred"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.due_at, delivery.attempts) == ("pending", at(2026, 7, 2, 4), 0)
    assert mail.outbox == []


@pytest.mark.django_db
def test_while_paused_invitations_are_not_filed_and_results_reach_only_the_inbox(person):
    Preferences.objects.create(user=person, paused_until=datetime.now(UTC) + timedelta(days=3))
    for kind in ("round_opened", "nudge"):
        notified(person, kind=kind)
    assert not Notification.objects.filter(kind__in=["round_opened", "nudge"]).exists()
    notified(person, kind="results_ready")
    notified(person, kind="partner_left", subject="couple:1")
    assert set(Notification.objects.values_list("kind", flat=True)) == {"results_ready", "partner_left"}
    assert not Delivery.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_pause_that_began_after_the_fan_out_still_stops_the_send(person):
    notified(person)
    delivery = Delivery.objects.get(channel="email")
    Preferences.objects.create(user=person, paused_until=datetime.now(UTC) + timedelta(hours=1))
    assert sending.delivery_send(delivery_id=delivery.pk).status == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_after_the_pause_ends_messages_flow_again(person):
    Preferences.objects.create(user=person, paused_until=datetime.now(UTC) - timedelta(minutes=1))
    notified(person, kind="round_opened", subject="round:99")
    assert Notification.objects.filter(kind="round_opened").count() == 1
