"""A way back in: a reset link by email, the same answer for every address, single use, an hour,
every device signed out; the email goes the reminders' way and no token is kept."""

import re
from datetime import time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from couples.models import BrowserSession
from couples.services import INVALID_RESET_LINK
from notifications import services as notification_services
from notifications.models import Delivery, Notification
from tests.builders import client_for, link_token, worker_sends_account_emails
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a brand new passphrase"


def ask_reset(email: str, client: APIClient | None = None):
    return (client or APIClient()).post(RESET, {"email": email}, format="json")


def reset_token(sent, person) -> str:
    """Ask for a reset of `person`'s password and read the token off the link of the email."""
    assert ask_reset(person.email).status_code == 202
    worker_sends_account_emails(sent)
    message = mail.outbox[-1]
    assert message.to == [person.email]
    return link_token(str(message.body), "/reset-password")


def confirm(token: str, password: str = NEW_PASSWORD):
    return APIClient().post(CONFIRM, {"token": token, "password": password}, format="json")


def login_status(email: str, password: str) -> int:
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json").status_code


def test_a_known_address_gets_a_link_to_the_reset_screen_by_email_and_nothing_in_its_inbox(sent, person):
    response = ask_reset(person.email.upper())
    assert (response.status_code, response.json()) == (202, {})
    assert mail.outbox == []  # queued, never sent in the request
    worker_sends_account_emails(sent)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "Reset your Tandem password"
    assert "within an hour" in message.body
    assert re.search(r"http://\S+/reset-password\?token=\S+", str(message.body))
    assert "List-Unsubscribe" not in message.extra_headers  # asked for: not a reminder
    assert Delivery.objects.get().status == "sent"
    inbox = client_for(person).get("/api/v1/notifications").json()
    assert (inbox["count"], inbox["unread_count"]) == (0, 0)


def test_an_unknown_address_gets_the_same_answer_and_the_same_work_and_nothing_is_sent(sent, person):
    known, unknown = ask_reset(person.email), ask_reset("nobody@example.com")
    assert (unknown.status_code, unknown.content) == (known.status_code, known.content)
    # The request does the same for both: one task on the broker, of the same name and shape.
    queued = list(sent)
    assert [(name, len(args)) for name, args in queued] == [(queued[0][0], 2)] * 2
    worker_sends_account_emails(sent)
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert Notification.objects.count() == 1


def test_no_token_is_stored_in_the_database(sent, person):
    token = reset_token(sent, person)
    stored = [
        *Notification.objects.values_list("subject", "title", "body", "data"),
        *Delivery.objects.values_list("target", "address", "last_error"),
    ]
    assert token not in repr(stored)
    assert token.split(".")[1] not in repr(stored)


def test_the_new_password_works_the_old_one_does_not_and_every_device_is_signed_out(sent, person):
    phone = client_for(person)  # a token client
    browser = Client()
    browser.force_login(person)
    assert phone.get("/api/v1/me").status_code == 200 and browser.get("/api/v1/me").status_code == 200
    token = reset_token(sent, person)
    assert confirm(token).status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert not BrowserSession.objects.filter(user_id=person.pk).exists()
    assert login_status(person.email, NEW_PASSWORD) == 200
    assert login_status(person.email, PASSWORD) == 400


def test_a_link_opened_on_another_device_works_without_any_sign_in(sent, person):
    token = reset_token(sent, person)
    elsewhere = Client(enforce_csrf_checks=True)  # a browser that never signed in
    response = elsewhere.post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, content_type="application/json")
    assert response.status_code == 204


def test_a_used_a_wrong_and_an_expired_link_get_one_message(sent, person):
    used = reset_token(sent, person)
    assert confirm(used).status_code == 204
    asked = timezone.now()
    with time_machine.travel(asked, tick=False):
        expired = reset_token(sent, person)
    with time_machine.travel(asked + timedelta(minutes=61), tick=False):
        answers = [
            confirm(token, "another new passphrase")
            for token in (used, expired, "nonsense", "", "MQ.abc-def", f"{expired}x", "!!." + expired.split(".")[1])
        ]
    for answer in [answers[0], answers[1], answers[2], *answers[4:]]:
        assert (answer.status_code, answer.json()) == (400, {"token": [INVALID_RESET_LINK]})
    assert answers[3].status_code == 400 and "token" in answers[3].json()  # empty: a field error
    assert login_status(person.email, NEW_PASSWORD) == 200


def test_a_link_is_valid_for_an_hour(sent, person):
    asked = timezone.now()
    with time_machine.travel(asked, tick=False):
        token = reset_token(sent, person)
    with time_machine.travel(asked + timedelta(minutes=59), tick=False):
        assert confirm(token).status_code == 204


def test_a_password_the_validators_refuse_is_a_400_on_password_and_the_link_still_works(sent, person):
    token = reset_token(sent, person)
    for weak in ("short", "12345678901", "password123"):
        response = confirm(token, weak)
        assert response.status_code == 400 and list(response.json()) == ["password"], response.json()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert confirm(token).status_code == 204


def test_signing_in_after_asking_spends_the_link(sent, person):
    token = reset_token(sent, person)
    assert login_status(person.email, PASSWORD) == 200  # the person remembered it after all
    assert confirm(token).json() == {"token": [INVALID_RESET_LINK]}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": 12}, "email"),
        ({"email": "a@example.com", "extra": 1}, "extra"),
    ],
)
def test_a_bad_request_for_a_reset_is_a_400_naming_the_field(db, body, field):
    response = APIClient().post(RESET, body, format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize(
    "body, fields",
    [({}, {"token", "password"}), ({"token": "x" * 201, "password": NEW_PASSWORD}, {"token"}), ([], None)],
)
def test_a_bad_confirmation_is_a_400(db, body, fields):
    response = APIClient().post(CONFIRM, body, format="json")
    assert response.status_code == 400
    if fields:
        assert set(response.json()) == fields


def test_the_email_goes_out_at_once_whatever_the_preferences_quiet_hours_or_pause(sent, person):
    notification_services.preferences_update(
        user=person,
        changes={
            "email": False,
            "quiet_hours_start": time(0, 0),
            "quiet_hours_end": time(23, 59),
            "paused_until": timezone.now() + timedelta(days=3),
        },
    )
    reset_token(sent, person)
    assert len(mail.outbox) == 1


def test_an_unconfirmed_address_still_gets_its_reset_link(sent, db):
    person = UserFactory.create(email_confirmed=False)
    reset_token(sent, person)
    assert len(mail.outbox) == 1


def test_resets_are_limited_per_email_known_or_not_and_per_client_address(sent, person):
    for email in (person.email, "nobody@example.com"):
        statuses = [ask_reset(email, APIClient(REMOTE_ADDR=f"198.51.100.{i}")).status_code for i in range(6)]
        assert statuses == [202] * 5 + [429]
    one_client = APIClient(REMOTE_ADDR="203.0.113.9")
    statuses = [ask_reset(f"someone{i}@example.com", one_client).status_code for i in range(11)]
    assert statuses == [202] * 10 + [429]
