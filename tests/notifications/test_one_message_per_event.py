"""How much Tandem says: a reveal tells each partner once (one inbox item, one push, one email),
flags or not, and whoever opens a check-in with "check in now" is not told that it opened.

Real sending, nothing of ours mocked: the partners' browsers subscribe to a local push service
(tests/notifications/fake_push.py), emails go to Django's outbox, and everything filed is fanned
out and sent as the tasks would.
"""

import pytest
from django.core import mail
from django.utils import timezone

from checkin import services as checkin_services
from notifications import sending, services
from notifications.models import Notification
from tests.notifications.test_push_delivery import subscribe

pytestmark = pytest.mark.django_db


def send_everything_filed() -> None:
    """What the fan-out and send tasks do for every notification filed so far."""
    for kind, subject in Notification.objects.filter(fanned_out_at__isnull=True).values_list("kind", "subject"):
        due = services.fan_out(kind=kind, subjects=[subject])
        sending.deliveries_send(delivery_ids=due)


def test_a_mismatched_reveal_tells_each_partner_once_in_the_inbox_by_push_and_by_email(
    seats, push_service, vapid, django_capture_on_commit_callbacks
):
    alice, bob = seats.alice, seats.bob
    browsers = {person: subscribe(person, push_service)[0] for person in (alice, bob)}
    with django_capture_on_commit_callbacks():  # the hand-offs to the broker: done by hand here
        checkin_round = checkin_services.round_open(couple=seats.couple, window_hours=48, now=timezone.now())
    send_everything_filed()
    told_before = {person: set(person.notifications.values_list("pk", flat=True)) for person in (alice, bob)}
    pushed_before = len(push_service.requests)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks():
        checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=1, independence=5)
        checkin_services.answer_submit(user=bob, round_id=checkin_round.pk, connection=5, independence=1)
    # The analysis after the reveal finds three things worth talking about, in one discussion.
    assert len(checkin_services.round_analyse(round_id=checkin_round.pk)) == 3
    send_everything_filed()

    for person in (alice, bob):
        inbox = (seats.alice_api if person == alice else seats.bob_api).get("/api/v1/notifications").json()
        [item] = [n for n in inbox["results"] if n["id"] not in told_before[person]]
        assert (item["kind"], item["title"], item["read_at"]) == ("results_ready", "You have both checked in", None)
        browser = browsers[person]
        pushed = [browser.read(r) for r in push_service.received_for(browser.endpoint) if r.number > pushed_before]
        assert [(p["kind"], p["id"]) for p in pushed] == [("results_ready", item["id"])]
        assert [m.subject for m in mail.outbox if m.to == [person.email]] == ["You have both checked in"]


def test_whoever_checks_in_now_is_not_told_that_it_opened_and_the_partner_is(seats):
    round_id = seats.alice_api.post("/api/v1/checkins").json()["id"]
    assert not seats.alice.notifications.filter(kind="round_opened").exists()
    [told] = seats.bob.notifications.filter(kind="round_opened")
    assert told.subject == f"round:{round_id}"
