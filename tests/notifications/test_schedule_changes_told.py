"""How often a partner hears of schedule changes (API-next.md, "How much Tandem says"): at most once
in 15 minutes, with the latest state. The first change is told at once; later ones within 15
minutes of the last message fold into one message sent when the 15 minutes end, carrying the
latest schedule, to the inbox as to push and email.

The partner's inbox, a real local push service and the outbox of the test mail backend are what
is checked; the hand-offs to Celery are run here as the tasks would run them.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import sending, services
from notifications.models import Notification
from tests.notifications.fake_push import Browser

pytestmark = pytest.mark.django_db

SCHEDULE = "/api/v1/couple/schedule"
T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 13:00 in Riga


def change_schedule(seats, traveller, seconds_later: float, **changes) -> None:
    """Alice changes the schedule; whatever is due now is fanned out and sent, as the tasks would."""
    traveller.shift(timedelta(seconds=seconds_later))
    response = seats.alice_api.patch(SCHEDULE, changes, format="json")
    assert response.status_code == 200, response.content
    send_what_is_due()


def send_what_is_due() -> None:
    """The fan-out tasks of what was filed, then the sends of every delivery now due (the sweep's)."""
    for kind, subject in Notification.objects.filter(fanned_out_at__isnull=True).values_list("kind", "subject"):
        services.fan_out(kind=kind, subjects=[subject])
    due = list(services.sweep(now=timezone.now() + timedelta(minutes=1))["deliveries"])
    sending.deliveries_send(delivery_ids=due)


def told(seats, push_service, browser) -> tuple[list[dict], list[str], list]:
    """What Bob got: his inbox as the API shows it (the schedule of each, oldest first), the titles
    of his pushes, the subjects of his emails."""
    shown = seats.bob_api.get("/api/v1/notifications").json()["results"]
    inbox = [n["data"].get("schedule", {}) for n in reversed(shown) if n["kind"] == "schedule_changed"]
    pushes = [browser.read(request)["title"] for request in push_service.accepted_for(browser.endpoint)]
    emails = [message.subject for message in mail.outbox if message.to == [seats.bob.email]]
    return inbox, pushes, emails


def test_fifteen_changes_in_a_minute_are_told_once_at_once_and_once_more_with_the_latest_state(
    seats, push_service, vapid
):
    browser = Browser.new(push_service.endpoint())
    assert browser.subscribe(seats.bob_api).status_code == 201
    with time_machine.travel(T0, tick=False) as traveller:
        for minute in range(15):
            change_schedule(seats, traveller, 4, time=f"20:{minute:02d}")
        inbox, pushes, emails = told(seats, push_service, browser)
        # The first at once; the fourteen others wait as one message, in no channel yet.
        assert [state.get("time") for state in inbox] == ["20:00"]
        assert seats.bob_api.get("/api/v1/notifications").json()["unread_count"] == 1
        assert pushes == ["Your check-in schedule changed"]
        assert emails == ["Your check-in schedule changed"]

        traveller.move_to(T0 + timedelta(minutes=15, seconds=4))
        send_what_is_due()
        inbox, pushes, emails = told(seats, push_service, browser)
        assert [state.get("time") for state in inbox] == ["20:00", "20:14"]
        assert len(pushes) == 2 and len(emails) == 2
        latest = seats.bob_api.get("/api/v1/notifications").json()["results"][0]
        assert latest["data"]["schedule"]["time"] == "20:14"

        # Sixteen minutes after the last message, a change is told at once again.
        traveller.move_to(T0 + timedelta(minutes=31, seconds=5))
        change_schedule(seats, traveller, 0, time="21:00")
        inbox, pushes, emails = told(seats, push_service, browser)
        assert [state.get("time") for state in inbox] == ["20:00", "20:14", "21:00"]
        assert len(pushes) == 3 and len(emails) == 3
    assert not seats.alice.notifications.filter(kind="schedule_changed").exists()


def test_a_change_sixteen_minutes_after_a_lone_change_is_a_new_message_at_once(seats, push_service, vapid):
    browser = Browser.new(push_service.endpoint())
    assert browser.subscribe(seats.bob_api).status_code == 201
    with time_machine.travel(T0, tick=False) as traveller:
        change_schedule(seats, traveller, 0, window_hours=24)
        change_schedule(seats, traveller, 16 * 60, window_hours=12)
        inbox, pushes, emails = told(seats, push_service, browser)
    assert [state.get("window_hours") for state in inbox] == [24, 12]
    assert len(pushes) == 2 and len(emails) == 2
