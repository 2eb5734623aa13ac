"""Changing the password from Settings: the current one asked for, every other device signed out,
this one kept; a wrong current password counts as a wrong login does."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from couples.models import BrowserSession
from tests.builders import client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHANGE = "/api/v1/me/password"
NEW_PASSWORD = "a brand new passphrase"


def browser_signed_in(person) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.get("/api/v1/auth/csrf")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/auth/login",
        {"email": person.email, "password": PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    return browser


def change_in_browser(browser: Client, body: dict):
    browser.get("/api/v1/auth/csrf")
    csrf = browser.cookies["csrftoken"].value
    return browser.post(CHANGE, body, content_type="application/json", headers={"X-CSRFToken": csrf})


def login_status(email: str, password: str, address: str = "127.0.0.1") -> int:
    body = {"email": email, "password": password}
    return APIClient(REMOTE_ADDR=address).post("/api/v1/auth/login", body, format="json").status_code


def test_from_a_browser_this_browser_stays_signed_in_and_every_other_device_is_signed_out(person):
    this, other = browser_signed_in(person), browser_signed_in(person)
    phone = client_for(person)
    response = change_in_browser(this, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert this.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code in (401, 403)
    assert phone.get("/api/v1/me").status_code == 401
    assert BrowserSession.objects.filter(user_id=person.pk).count() == 1
    assert login_status(person.email, NEW_PASSWORD) == 200
    assert login_status(person.email, PASSWORD) == 400


def test_from_a_token_client_its_token_stays_and_the_browsers_are_signed_out(person):
    browser = browser_signed_in(person)
    phone = client_for(person)
    response = phone.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 204
    assert phone.get("/api/v1/me").status_code == 200
    assert browser.get("/api/v1/me").status_code in (401, 403)


def test_a_wrong_current_password_is_a_400_on_it_and_changes_nothing(person):
    phone = client_for(person)
    response = phone.post(CHANGE, {"current_password": "wrong", "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 400
    assert response.json() == {"current_password": ["That is not your current password."]}
    assert login_status(person.email, PASSWORD) == 200


def test_a_new_password_the_validators_refuse_is_a_400_on_new_password(person):
    phone = client_for(person)
    for weak in ("short", "12345678901", "password123", person.email):
        response = phone.post(CHANGE, {"current_password": PASSWORD, "new_password": weak}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["new_password"], weak
    assert phone.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, {"current_password", "new_password"}),
        ({"current_password": PASSWORD}, {"new_password"}),
        ({"current_password": PASSWORD, "new_password": "x" * 129}, {"new_password"}),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "other": 1}, {"other"}),
    ],
)
def test_a_bad_body_is_a_400_naming_the_fields(person, body, fields):
    response = client_for(person).post(CHANGE, body, format="json")
    assert response.status_code == 400 and set(response.json()) == fields


def test_wrong_current_passwords_count_with_wrong_logins_for_the_account(person):
    phone = client_for(person)
    for i in range(10):
        assert login_status(person.email, "wrong", f"198.51.100.{i}") == 400
    statuses = [
        phone.post(CHANGE, {"current_password": "wrong", "new_password": NEW_PASSWORD}, format="json").status_code
        for _ in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    assert login_status(person.email, PASSWORD, "203.0.113.1") == 429


def test_nobody_signed_in_gets_401(db):
    response = APIClient().post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")
    assert response.status_code == 401
