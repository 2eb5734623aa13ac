"""Email: plain text with a link, one-click unsubscribe headers and a signed link that needs no login."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from couples.models import Couple
from notifications import sending, services
from notifications.models import Delivery, Notification, Preferences
from tests.builders import notified
from tests.factories import PASSWORD
from workflows import services as workflows_services

pytestmark = pytest.mark.django_db


def send_email_to(person, kind="results_ready"):
    for delivery_id in notified(person, kind=kind):
        sending.delivery_send(delivery_id=delivery_id)


def test_an_email_is_plain_text_with_a_link_and_one_click_unsubscribe_headers(person):
    send_email_to(person)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "You have both checked in"
    assert message.content_subtype == "plain"
    assert "/notifications/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert Delivery.objects.get(channel="email").status == "sent"


def test_one_click_unsubscribe_works_without_login_and_only_on_post(person):
    send_email_to(person)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = urlsplit(url).path + "?" + urlsplit(url).query
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and b"<form" in page.content
    assert Preferences.objects.filter(user=person, email=False).count() == 0  # a GET changes nothing
    assert browser.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Preferences.objects.get(user=person).email is False
    send_email_to(person, kind="partner_left")
    assert len(mail.outbox) == 1  # no more emails


def test_a_forged_unsubscribe_link_is_refused(person):
    response = Client().post("/api/v1/notifications/unsubscribe?token=1:forged")
    assert response.status_code == 400
    assert not Preferences.objects.filter(user=person, email=False).exists()


def unsubscribe_path(person) -> str:
    send_email_to(person)
    url = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")
    return urlsplit(url).path + "?" + urlsplit(url).query


def test_the_unsubscribe_link_of_a_deleted_account_answers_that_there_is_nothing_to_unsubscribe(person):
    path = unsubscribe_path(person)
    workflows_services.user_delete(user=person, password=PASSWORD)
    response = Client().post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert b"nothing to unsubscribe" in response.content
    assert not Preferences.objects.exists()


def test_an_unsubscribe_link_works_for_60_days_and_then_says_how_to_switch_emails_off_in_the_app(person):
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        path = unsubscribe_path(person)
    with time_machine.travel(sent + timedelta(days=61), tick=False):
        for response in (Client().get(path), Client().post(path, {"List-Unsubscribe": "One-Click"})):
            assert response.status_code == 410
            assert b"no longer works" in response.content and b"Settings" in response.content
    assert not Preferences.objects.filter(user=person, email=False).exists()
    with time_machine.travel(sent + timedelta(days=59), tick=False):
        assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Preferences.objects.get(user=person).email is False


def test_email_switched_off_means_no_email(person):
    Preferences.objects.create(user=person, email=False)
    send_email_to(person)
    assert mail.outbox == []


def test_a_batch_of_invitations_reaches_only_those_who_have_not_answered_in_a_few_queries_whatever_its_size(
    seats, django_assert_max_num_queries
):
    from checkin import services as checkin_services
    from checkin.models import Round

    rounds = [
        checkin_services.round_open(couple=couple, window_hours=48, now=timezone.now())
        for couple in (seats.couple, Couple.objects.get(memberships__user=seats.charlie))
    ]
    checkin_services.answer_submit(user=seats.alice, round_id=rounds[0].pk, connection=4, independence=4)
    kind = Notification.Kind.ROUND_OPENED
    delivery_ids = services.fan_out(kind=kind, subjects=[f"round:{r.pk}" for r in rounds])
    assert len(delivery_ids) == 4
    mail.outbox.clear()

    # A budget, not a count: the claim, who still awaits an answer, and one update per outcome,
    # never a query per delivery (tests/notifications/test_batch_reads.py grows the batch).
    with django_assert_max_num_queries(8):
        attempts = sending.deliveries_send(delivery_ids=delivery_ids)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@example.com",
        "charlie@example.com",
        "dana@example.com",
    ]
    skipped = Delivery.objects.get(notification__user=seats.alice)
    assert skipped.status == "skipped" and skipped.last_error == "answered or closed"
    assert sorted(a.status for a in attempts.values()) == ["sent", "sent", "sent", "skipped"]
    assert Round.objects.filter(status="open").count() == 2
    # A batch sent again sends nothing more.
    assert {a.status for a in sending.deliveries_send(delivery_ids=delivery_ids).values()} == {"not_due"}
    assert len(mail.outbox) == 3
