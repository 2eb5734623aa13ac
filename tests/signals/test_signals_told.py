"""How a partner hears of a signal, and the sender of its reply: one inbox item each, through their
channels at low urgency, quiet hours and a pause honoured, a push whose Topic is the couple's own
(a newer signal replaces an older one the push service still holds), and never the message itself
on a lock screen or in an email unless the person chose to see it there."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from notifications import policy, sending, services
from notifications.models import Delivery, Notification, Preferences
from tests.notifications.test_push_delivery import subscribe

T0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 13:00 in Riga: no quiet hours in the way
MESSAGE = "MESSAGE-heron: I am tired after this week"


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def send(client, kind="invite", **body) -> dict:
    response = client.post("/api/v1/signals", {"kind": kind, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def inbox(client) -> list[dict]:
    """The signals' part of the person's inbox (pairing told them something too)."""
    items = client.get("/api/v1/notifications").json()["results"]
    return [item for item in items if item["kind"].startswith("signal_")]


def due_deliveries(kind: str) -> list[int]:
    """The fan-out of every notification of `kind`, as its task runs it: the ids due now."""
    subjects = list(Notification.objects.filter(kind=kind).values_list("subject", flat=True))
    return services.fan_out(kind=kind, subjects=subjects)


def test_the_partner_is_told_once_in_calm_words_with_no_message(seats, at_t0):
    send(seats.alice_api, "space", message=MESSAGE)

    [item] = inbox(seats.bob_api)
    assert (item["kind"], item["title"], item["path"]) == ("signal_sent", "Alice sent you a signal", "/")
    assert "MESSAGE-heron" not in str(item)
    assert inbox(seats.alice_api) == []  # the sender is not told of their own signal
    assert inbox(seats.charlie_api) == []


def test_the_sender_is_told_of_the_reply_with_no_message(seats, at_t0):
    invitation = send(seats.alice_api)
    seats.bob_api.post(f"/api/v1/signals/{invitation['id']}/reply", {"reply": "yes", "message": MESSAGE}, format="json")

    [item] = inbox(seats.alice_api)
    assert (item["kind"], item["title"], item["path"]) == ("signal_replied", "Bob replied to your signal", "/")
    assert "MESSAGE-heron" not in str(item)
    assert [n["kind"] for n in inbox(seats.bob_api)] == ["signal_sent"]


def test_a_push_is_low_urgency_tells_no_message_and_a_newer_signal_takes_the_older_ones_topic(
    seats, push_service, vapid, at_t0
):
    browser, _ = subscribe(seats.bob, push_service)
    send(seats.alice_api, "invite", message=MESSAGE)
    send(seats.alice_api, "thanks")
    for delivery_id in due_deliveries("signal_sent"):
        sending.delivery_send(delivery_id=delivery_id)

    first, second = push_service.received_for(browser.endpoint)
    for message in (first, second):
        assert message.headers["urgency"] == "low" == policy.URGENCY["signal_sent"]
        assert int(message.headers["ttl"]) == policy.TTL_SECONDS["signal_sent"]
        payload = browser.read(message)
        assert payload["title"] == "Alice sent you a signal"
        assert "MESSAGE-heron" not in str(payload)
    # One topic for the couple's signals: the push service keeps only the newer one it still holds.
    assert first.headers["topic"] == second.headers["topic"]
    # ... and it is the couple's own: another couple's signal has another.
    other, _ = subscribe(seats.dana, push_service)
    send(seats.charlie_api, "invite")
    for delivery_id in due_deliveries("signal_sent"):
        sending.delivery_send(delivery_id=delivery_id)
    [danas] = push_service.received_for(other.endpoint)
    assert danas.headers["topic"] != first.headers["topic"]


def test_the_email_tells_no_message(seats, at_t0):
    send(seats.alice_api, "invite", message=MESSAGE)
    for delivery_id in due_deliveries("signal_sent"):
        sending.delivery_send(delivery_id=delivery_id)

    [email] = mail.outbox
    assert email.to == [seats.bob.email]
    assert email.subject == "Alice sent you a signal"
    assert "MESSAGE-heron" not in email.body


def test_quiet_hours_hold_a_signal_until_they_end(seats):
    Preferences.objects.create(user=seats.bob, quiet_hours_start=time(22), quiet_hours_end=time(7))
    with time_machine.travel(datetime(2026, 7, 1, 20, 30, tzinfo=UTC), tick=False):  # 23:30 in Riga
        send(seats.alice_api)
        assert due_deliveries("signal_sent") == []
    [delivery] = Delivery.objects.filter(notification__user=seats.bob)
    assert delivery.due_at == datetime(2026, 7, 2, 4, 0, tzinfo=UTC)  # 07:00 in Riga


def test_while_paused_a_signal_reaches_only_the_inbox(seats, at_t0):
    Preferences.objects.create(user=seats.bob, paused_until=T0 + timedelta(days=3))
    send(seats.alice_api)

    assert [n["kind"] for n in inbox(seats.bob_api)] == ["signal_sent"]
    assert due_deliveries("signal_sent") == []
    assert not Delivery.objects.exists()


def test_news_of_a_signal_taken_back_before_it_went_out_is_not_sent(seats):
    Preferences.objects.create(user=seats.bob, quiet_hours_start=time(22), quiet_hours_end=time(7))
    with time_machine.travel(datetime(2026, 7, 1, 20, 30, tzinfo=UTC), tick=False):
        space = send(seats.alice_api, "space", until="2026-07-02T12:00:00Z")
        due_deliveries("signal_sent")
        assert seats.alice_api.delete(f"/api/v1/signals/{space['id']}").status_code == 204
    with time_machine.travel(datetime(2026, 7, 2, 4, 1, tzinfo=UTC), tick=False):
        [delivery] = Delivery.objects.filter(notification__user=seats.bob)
        assert sending.delivery_send(delivery_id=delivery.pk).status == "skipped"
    assert mail.outbox == []


def test_news_of_a_space_that_ended_before_it_went_out_is_not_sent(seats):
    Preferences.objects.create(user=seats.bob, quiet_hours_start=time(22), quiet_hours_end=time(7))
    with time_machine.travel(datetime(2026, 7, 1, 20, 30, tzinfo=UTC), tick=False):
        send(seats.alice_api, "space")  # until midnight in Riga, 21:00 UTC
        due_deliveries("signal_sent")
    with time_machine.travel(datetime(2026, 7, 2, 4, 1, tzinfo=UTC), tick=False):
        [delivery] = Delivery.objects.filter(notification__user=seats.bob)
        assert sending.delivery_send(delivery_id=delivery.pk).status == "skipped"
    assert mail.outbox == []


def test_what_the_inbox_says_of_a_signal_is_read_once_the_signals_are_seen(seats, at_t0):
    invitation = send(seats.alice_api, "invite")
    send(seats.alice_api, "space")
    seats.bob_api.post(f"/api/v1/signals/{invitation['id']}/reply", {"reply": "yes"}, format="json")
    assert [n["read_at"] for n in inbox(seats.bob_api)] == [None, None]

    seats.bob_api.get("/api/v1/signals/current")  # the live space
    assert [n["read_at"] is None for n in inbox(seats.bob_api)] == [False, True]
    seats.bob_api.get("/api/v1/signals")
    assert all(n["read_at"] for n in inbox(seats.bob_api))
    # Alice's reply, told to her, is read when she sees it; her own signals were never told to her.
    [reply] = inbox(seats.alice_api)
    assert reply["read_at"] is None
    seats.alice_api.get("/api/v1/signals")
    assert inbox(seats.alice_api)[0]["read_at"] is not None


def test_a_partner_who_chose_to_see_what_signals_say_reads_the_message_in_push_email_and_inbox(
    seats, push_service, vapid, at_t0
):
    response = seats.bob_api.patch("/api/v1/notifications/preferences", {"signal_text": True}, format="json")
    assert response.status_code == 200
    browser, _ = subscribe(seats.bob, push_service)
    send(seats.alice_api, "invite", message=MESSAGE)
    for delivery_id in due_deliveries("signal_sent"):
        sending.delivery_send(delivery_id=delivery_id)

    [message] = push_service.received_for(browser.endpoint)
    payload = browser.read(message)
    assert (payload["title"], payload["body"]) == ("Alice sent you a signal", MESSAGE)
    [email] = mail.outbox
    assert email.subject == "Alice sent you a signal"
    assert MESSAGE in email.body
    [item] = inbox(seats.bob_api)
    assert (item["title"], item["body"]) == ("Alice sent you a signal", MESSAGE)
    # A signal with no message keeps the calm words.
    send(seats.alice_api, "thanks")
    assert inbox(seats.bob_api)[0]["body"] == "It is in Tandem whenever you'd like to look."


def reply(client, signal_id: int, reply: str, message: str) -> None:
    response = client.post(f"/api/v1/signals/{signal_id}/reply", {"reply": reply, "message": message}, format="json")
    assert response.status_code == 200, response.content


def test_the_senders_own_choice_decides_whether_the_replys_message_shows(seats, at_t0):
    # Bob chose to see messages; Alice did not: his choice is for what he is told, not for her.
    seats.bob_api.patch("/api/v1/notifications/preferences", {"signal_text": True}, format="json")
    invitation = send(seats.alice_api, message=MESSAGE)
    reply(seats.bob_api, invitation["id"], "yes", "REPLY-wren")
    [told] = inbox(seats.alice_api)
    assert "REPLY-wren" not in str(told)
    assert inbox(seats.bob_api)[0]["body"] == MESSAGE

    seats.alice_api.patch("/api/v1/notifications/preferences", {"signal_text": True}, format="json")
    second = send(seats.alice_api)
    reply(seats.bob_api, second["id"], "later", "REPLY-wren")
    newest = inbox(seats.alice_api)[0]
    assert (newest["title"], newest["body"]) == ("Bob replied to your signal", "REPLY-wren")


def test_a_signal_taken_back_takes_its_message_out_of_the_inbox(seats, at_t0):
    seats.alice_api.patch("/api/v1/notifications/preferences", {"signal_text": True}, format="json")
    seats.bob_api.patch("/api/v1/notifications/preferences", {"signal_text": True}, format="json")
    invitation = send(seats.alice_api, message=MESSAGE)
    reply(seats.bob_api, invitation["id"], "yes", "REPLY-wren")
    assert "REPLY-wren" in str(inbox(seats.alice_api))
    assert MESSAGE in str(inbox(seats.bob_api))

    assert seats.alice_api.delete(f"/api/v1/signals/{invitation['id']}").status_code == 204
    [told] = inbox(seats.bob_api)
    assert (told["title"], told["body"]) == ("Alice sent you a signal", "It is in Tandem whenever you'd like to look.")
    assert "REPLY-wren" not in str(inbox(seats.alice_api))
