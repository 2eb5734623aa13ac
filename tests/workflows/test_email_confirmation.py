"""Confirmed addresses: registration and a change of email send a link to /confirm-email; email
reminders go only to a confirmed address; a change takes effect once the new address confirms it,
and the old address is told."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from couples.models import User
from couples.services import INVALID_CONFIRMATION_LINK
from notifications.models import Delivery, Notification
from tests.builders import client_for, link_token, notified, worker_sends_account_emails
from tests.factories import PASSWORD, UserFactory
from workflows import services as workflows_services

pytestmark = pytest.mark.django_db

CONFIRM = "/api/v1/auth/confirm-email"
CHANGE = "/api/v1/me/email"
RESEND = "/api/v1/me/email/confirmation"


def confirm(token: str):
    return APIClient().post(CONFIRM, {"token": token}, format="json")


def last_link(sent, to: str) -> str:
    worker_sends_account_emails(sent)
    message = mail.outbox[-1]
    assert message.to == [to]
    return link_token(str(message.body), "/confirm-email")


def register(email: str = "sam@example.com"):
    body = {"email": email, "password": "a long enough passphrase", "display_name": "Sam"}
    return APIClient().post("/api/v1/auth/register", body, format="json")


def test_registering_sends_a_link_that_confirms_the_address_on_any_device(sent):
    assert register().json()["user"]["email_confirmed"] is False
    message_link = last_link(sent, "sam@example.com")
    assert mail.outbox[-1].subject == "Confirm your email for Tandem"
    response = confirm(message_link)  # no sign-in: another device than the one that registered
    assert response.status_code == 200
    assert response.json() | {"id": 0} == {
        "id": 0,
        "email": "sam@example.com",
        "display_name": "Sam",
        "timezone": "UTC",
        "email_confirmed": True,
        "pending_email": None,
    }


def test_a_used_a_wrong_and_an_expired_link_get_one_message(sent):
    register()
    used = last_link(sent, "sam@example.com")
    assert confirm(used).status_code == 200
    asked = timezone.now()
    with time_machine.travel(asked, tick=False):
        register("alex@example.com")
        expired = last_link(sent, "alex@example.com")
    with time_machine.travel(asked + timedelta(days=3, minutes=1), tick=False):
        for token in (used, expired, "nonsense", expired[:-2], f"{expired}x"):
            response = confirm(token)
            assert (response.status_code, response.json()) == (400, {"token": [INVALID_CONFIRMATION_LINK]})
    assert User.objects.get(email="alex@example.com").email_confirmed is False


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": "x" * 201}, {"token": ["a"]}])
def test_a_bad_confirmation_is_a_400_naming_the_field(db, body):
    response = APIClient().post(CONFIRM, body, format="json")
    assert response.status_code == 400 and "token" in response.json()


def test_email_reminders_wait_for_a_confirmed_address_and_push_and_the_inbox_do_not(db):
    person = UserFactory.create(email_confirmed=False)
    notified(person, kind="partner_left", subject="couple:1")
    assert Notification.objects.filter(user=person).count() == 1  # in the inbox
    assert not Delivery.objects.filter(channel="email").exists()
    person.email_confirmed = True
    person.save(update_fields=["email_confirmed"])
    notified(person, kind="partner_left", subject="couple:2")
    assert Delivery.objects.filter(channel="email").count() == 1


def change_email(person, email: str, password: str = PASSWORD):
    return client_for(person).post(CHANGE, {"email": email, "password": password}, format="json")


def test_a_change_waits_for_the_new_address_to_confirm_it_and_then_the_old_one_is_told(sent, person):
    old = person.email
    response = change_email(person, "New@Example.com")
    assert response.status_code == 202
    assert (response.json()["email"], response.json()["pending_email"]) == (old, "new@example.com")
    token = last_link(sent, "new@example.com")
    # Until then the account keeps its address: signing in with it works, and reminders go there.
    login = APIClient().post("/api/v1/auth/login", {"email": old, "password": PASSWORD}, format="json")
    assert login.status_code == 200
    assert client_for(person).get("/api/v1/me").json()["pending_email"] == "new@example.com"
    confirmed = confirm(token)
    assert confirmed.status_code == 200
    assert (confirmed.json()["email"], confirmed.json()["pending_email"]) == ("new@example.com", None)
    worker_sends_account_emails(sent)
    told = mail.outbox[-1]
    assert (told.to, told.subject) == ([old], "Your Tandem email was changed")
    assert "new@example.com" not in str(told.body)
    assert confirm(token).json() == {"token": [INVALID_CONFIRMATION_LINK]}  # used


def test_a_change_needs_the_password(person):
    for password in ("wrong", ""):
        response = change_email(person, "new@example.com", password)
        assert response.status_code == 400 and "password" in response.json()
    person.refresh_from_db()
    assert person.pending_email is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "nope", "password": PASSWORD}, "email"),
        ({"email": "a@b.co"}, "password"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field(person, body, field):
    response = client_for(person).post(CHANGE, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_changing_to_the_address_one_has_is_a_400_and_takes_back_a_change_that_waits(sent, person):
    assert change_email(person, person.email).json() == {"email": ["That is already your email."]}
    change_email(person, "new@example.com")
    token = last_link(sent, "new@example.com")
    response = change_email(person, person.email)
    assert response.status_code == 202 and response.json()["pending_email"] is None
    assert confirm(token).status_code == 400


def test_an_older_link_no_longer_confirms_once_another_address_was_asked_for(sent, person):
    change_email(person, "first@example.com")
    first = last_link(sent, "first@example.com")
    change_email(person, "second@example.com")
    second = last_link(sent, "second@example.com")
    assert confirm(first).status_code == 400
    assert confirm(second).json()["email"] == "second@example.com"


def test_an_address_another_account_uses_is_answered_the_same_and_its_owner_gets_nothing(sent, person):
    owner = UserFactory.create(email="taken@example.com")
    free, taken = UserFactory.create(), person
    answers = [change_email(free, "free@example.com"), change_email(taken, owner.email)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[1].json()["pending_email"] == owner.email
    worker_sends_account_emails(sent)
    assert [message.to for message in mail.outbox] == [["free@example.com"]]
    assert Delivery.objects.get(address="", notification__user=taken).last_error == "nothing waits for confirmation"


def test_the_link_can_be_sent_again_and_not_once_confirmed(sent):
    register()
    sam = User.objects.get(email="sam@example.com")
    response = client_for(sam).post(RESEND)
    assert (response.status_code, response.json()) == (202, {})
    token = last_link(sent, "sam@example.com")
    assert len(mail.outbox) == 2
    assert confirm(token).status_code == 200
    again = client_for(sam).post(RESEND)
    assert (again.status_code, again.json()) == (409, {"detail": "Your email is already confirmed."})


def test_links_sent_are_limited_per_person(db):
    person = UserFactory.create(email_confirmed=False)
    api = client_for(person)
    statuses = [api.post(RESEND).status_code for _ in range(5)] + [change_email(person, "x@example.com").status_code]
    assert statuses == [202] * 5 + [429]


def test_deleting_the_account_removes_what_waits_for_confirmation(sent, person):
    change_email(person, "new@example.com")
    token = last_link(sent, "new@example.com")
    change_email(person, "newer@example.com")  # its email not yet sent
    workflows_services.user_delete(user=person, password=PASSWORD)
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert confirm(token).status_code == 400
    worker_sends_account_emails(sent)
    assert [message.to for message in mail.outbox] == [["new@example.com"]]


def test_the_export_shows_the_email_state(sent, person):
    change_email(person, "new@example.com")
    user = client_for(person).get("/api/v1/me/export").json()["user"]
    assert (user["email"], user["email_confirmed"], user["pending_email"]) == (person.email, True, "new@example.com")
