"""While a person's space is live, Tandem sends them no nudge: the check-in still opens as
scheduled, and they answer when they are ready (issue "Signals between check-ins")."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from checkin import scheduler, services
from notifications import sending
from notifications import services as notification_services
from notifications.models import Delivery, Notification

T0 = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # 10:00 in Riga


def kinds_told(person) -> list[str]:
    told = Notification.objects.filter(user=person).exclude(kind="invite_accepted")
    return sorted(told.values_list("kind", flat=True))


def test_a_person_taking_some_space_is_not_nudged_but_their_check_in_still_opens(seats):
    with time_machine.travel(T0, tick=False):
        space = seats.alice_api.post("/api/v1/signals", {"kind": "space"}, format="json")
        assert space.status_code == 201
        checkin_round = services.round_open(couple=seats.couple, window_hours=12, now=timezone.now())
    # Half the window on (13:00 in Riga), Alice's space (until midnight) still live.
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        report = scheduler.tick(now=timezone.now())

    assert report.nudged == 1
    checkin_round.refresh_from_db()
    assert checkin_round.status == "open" and checkin_round.nudged_at is not None
    assert kinds_told(seats.alice) == ["round_opened"]
    assert kinds_told(seats.bob) == ["nudge", "round_opened", "signal_sent"]


def test_once_the_space_has_ended_the_nudge_comes_as_usual(seats):
    with time_machine.travel(T0, tick=False):
        seats.alice_api.post("/api/v1/signals", {"kind": "space", "until": "2026-07-01T09:00:00Z"}, format="json")
        services.round_open(couple=seats.couple, window_hours=12, now=timezone.now())
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        scheduler.tick(now=timezone.now())

    assert kinds_told(seats.alice) == ["nudge", "round_opened"]


def test_a_nudge_waiting_to_go_out_lapses_when_its_person_begins_some_space(seats):
    with time_machine.travel(T0, tick=False):
        checkin_round = services.round_open(couple=seats.couple, window_hours=12, now=timezone.now())
        services.round_nudge(round_id=checkin_round.pk, now=timezone.now())
        [nudge] = Notification.objects.filter(user=seats.alice, kind="nudge")
        notification_services.fan_out(kind="nudge", subjects=[nudge.subject])
        seats.alice_api.post("/api/v1/signals", {"kind": "space"}, format="json")

        [delivery] = Delivery.objects.filter(notification=nudge)
        assert sending.delivery_send(delivery_id=delivery.pk).status == "skipped"
