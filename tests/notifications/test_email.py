"""Email: plain text with a link, one-click unsubscribe headers and a signed link that needs no login."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkin import services as checkin_services
from checkin.models import Round
from couples.models import Couple
from notifications import services
from notifications.models import Delivery, Notification, Preferences
from tests.builders import a_couple, notified, pair
from tests.factories import PASSWORD, UserFactory
from workflows import services as workflows_services

pytestmark = pytest.mark.django_db


def send_email_to(person, kind="results_ready"):
    for delivery_id in notified(person, kind=kind):
        services.delivery_send(delivery_id=delivery_id)


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


def invitations_to_answer(couples: list[Couple], answered_by) -> list[int]:
    """A round opened for each couple, answered at once by `answered_by`: the ids of the
    invitations' deliveries, one email per partner."""
    rounds = [checkin_services.round_open(couple=couple, window_hours=48, now=timezone.now()) for couple in couples]
    own_round = next(r for r in rounds if r.couple.memberships.filter(user=answered_by).exists())
    checkin_services.answer_submit(user=answered_by, round_id=own_round.pk, connection=4, independence=4)
    return services.fan_out(kind=Notification.Kind.ROUND_OPENED, subjects=[f"round:{r.pk}" for r in rounds])


def queries_to_send(delivery_ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.deliveries_send(delivery_ids=delivery_ids)
    return len(queries.captured_queries)


def test_a_batch_of_invitations_reaches_only_those_who_have_not_answered_in_a_few_queries_whatever_its_size(seats):
    small = invitations_to_answer([seats.couple, Couple.objects.get(memberships__user=seats.charlie)], seats.alice)
    assert len(small) == 4
    mail.outbox.clear()

    small_cost = queries_to_send(small)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@example.com",
        "charlie@example.com",
        "dana@example.com",
    ]
    skipped = Delivery.objects.get(notification__user=seats.alice)
    assert skipped.status == "skipped" and skipped.last_error == "answered or closed"
    assert sorted(Delivery.objects.filter(pk__in=small).values_list("status", flat=True)) == [
        "sent",
        "sent",
        "sent",
        "skipped",
    ]
    assert Round.objects.filter(status="open").count() == 2
    # A batch sent again sends nothing more.
    assert {a.status for a in services.deliveries_send(delivery_ids=small).values()} == {"not_due"}
    assert len(mail.outbox) == 3

    # Three times the batch, the same mix of outcomes: not one query more (a read or a write per
    # delivery would add a dozen).
    first = UserFactory.create()
    couples = [pair(first, UserFactory.create()), *(a_couple() for _ in range(5))]
    large = invitations_to_answer(couples, first)
    assert len(large) == 12
    mail.outbox.clear()
    assert queries_to_send(large) <= small_cost
    assert len(mail.outbox) == 11
