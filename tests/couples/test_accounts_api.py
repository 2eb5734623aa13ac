"""Accounts: register, login, logout, me, delete and export, as a client sees them."""

import pytest
from rest_framework.test import APIClient

from couples.models import User
from tests.builders import client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"


def register(client, **overrides):
    body = {"email": "Sam@Example.com", "password": "a long enough passphrase", "display_name": "Sam"}
    body.update(overrides)
    return client.post(REGISTER, body, format="json")


def test_register_returns_a_token_and_the_user_with_email_folded_to_lower_case(api):
    response = register(api(None), timezone="Europe/Riga")
    assert response.status_code == 201
    body = response.json()
    assert body["user"] == {
        "id": body["user"]["id"],
        "email": "sam@example.com",
        "display_name": "Sam",
        "timezone": "Europe/Riga",
        "email_confirmed": False,
        "pending_email": None,
    }
    me = api(None)
    me.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.get("/api/v1/me").json()["email"] == "sam@example.com"


def test_register_defaults_the_time_zone_to_utc(api):
    assert register(api(None)).json()["user"]["timezone"] == "UTC"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 61}, "display_name"),
        ({"display_name": "Sam\nBcc: all@example.com"}, "display_name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"tmezone": "UTC"}, "tmezone"),
    ],
)
def test_register_rejects_bad_input_naming_the_field(api, overrides, field):
    response = register(api(None), **overrides)
    assert response.status_code == 400
    assert field in response.json()
    assert all(isinstance(message, str) and message for message in response.json()[field])


def test_register_twice_with_the_same_email_in_another_case_is_a_400(api):
    assert register(api(None)).status_code == 201
    response = register(api(None), email="SAM@example.COM")
    assert response.status_code == 400
    assert "email" in response.json()
    assert User.objects.count() == 1


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", "{"])
def test_malformed_bodies_are_a_400_never_a_500(api, body):
    response = api(None).post(REGISTER, body, content_type="application/json")
    assert response.status_code == 400


def test_login_gives_a_client_a_token_of_its_own_and_no_session(api, person):
    client = api(None)
    response = client.post(LOGIN, {"email": person.email.upper(), "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["id"] == person.pk
    assert client.get("/api/v1/me").status_code == 401  # no session
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me").status_code == 200
    again = api(None).post(LOGIN, {"email": person.email, "password": PASSWORD}, format="json").json()["token"]
    assert again != response.json()["token"]  # each login is a device of its own


def test_login_with_a_wrong_password_or_unknown_email_says_the_same_thing(api, person):
    wrong_password = api(None).post(LOGIN, {"email": person.email, "password": "nope"}, format="json")
    unknown_email = api(None).post(LOGIN, {"email": "nobody@example.com", "password": "nope"}, format="json")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert wrong_password.json() == unknown_email.json()


def test_logout_revokes_the_token(api, person):
    client = client_for(person)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_anonymous_callers_get_401_and_no_data(api):
    response = api(None).get("/api/v1/me")
    assert response.status_code == 401
    assert "email" not in response.json()


def test_me_can_change_display_name_and_time_zone(api, person):
    client = client_for(person)
    response = client.patch("/api/v1/me", {"display_name": "Sammy", "timezone": "America/New_York"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Sammy"
    person.refresh_from_db()
    assert person.timezone == "America/New_York"


@pytest.mark.parametrize(
    "body, field",
    [({"timezone": "Nowhere/Town"}, "timezone"), ({"display_name": ""}, "display_name"), ({"email": "x@y.z"}, "email")],
)
def test_me_rejects_bad_changes(api, person, body, field):
    response = client_for(person).patch("/api/v1/me", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_deleting_the_account_needs_the_password(api, person):
    client = client_for(person)
    response = client.delete("/api/v1/me", {"password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    assert client.delete("/api/v1/me", {}, format="json").status_code == 400
    assert User.objects.filter(pk=person.pk).exists()


def test_wrong_passwords_to_delete_the_account_count_with_wrong_logins_and_are_limited(api, person):
    client = client_for(person)
    statuses = [client.delete("/api/v1/me", {"password": "wrong"}, format="json").status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]
    assert client.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 429
    login = APIClient(REMOTE_ADDR="203.0.113.1").post(
        "/api/v1/auth/login", {"email": person.email, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 429
    assert User.objects.filter(pk=person.pk).exists()


def test_deleting_the_account_removes_it_and_tells_the_partner(seats, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = seats.alice_api.delete("/api/v1/me", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=seats.alice.pk).exists()
    assert seats.bob_api.get("/api/v1/couple").status_code == 404
    assert seats.bob.notifications.filter(kind="partner_left").count() == 1


def test_deleting_the_account_removes_the_sessions_of_every_browser_signed_in_as_me(seats):
    from importlib import import_module

    from django.conf import settings
    from rest_framework.test import APIClient

    def signed_in_browser(email: str) -> str:
        browser = APIClient(enforce_csrf_checks=True)
        token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
        body = {"email": email, "password": PASSWORD}
        assert browser.post(LOGIN, body, format="json", HTTP_X_CSRFTOKEN=token).status_code == 200
        return browser.cookies[settings.SESSION_COOKIE_NAME].value

    sessions = import_module(settings.SESSION_ENGINE).SessionStore()
    phone, laptop = signed_in_browser(seats.alice.email), signed_in_browser(seats.alice.email)
    partners = signed_in_browser(seats.bob.email)

    assert seats.alice_api.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204
    assert not sessions.exists(phone) and not sessions.exists(laptop)
    assert sessions.exists(partners)


def test_export_holds_my_data_and_only_my_partners_name(seats):
    export = seats.alice_api.get("/api/v1/me/export").json()
    assert export["user"]["email"] == "alice@example.com"
    assert [c["partner_display_name"] for c in export["couples"]] == ["Bob"]
    assert "bob@example.com" not in str(export)
    assert len(export["invites"]) == 1


def test_register_is_throttled_with_retry_after(api, settings):
    client = api(None)
    statuses = [register(client, email=f"p{i}@example.com").status_code for i in range(12)]
    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429
    assert int(register(client, email="late@example.com")["Retry-After"]) > 0


def test_login_is_throttled(api, person):
    client = api(None)
    statuses = [
        client.post(LOGIN, {"email": person.email, "password": "wrong"}, format="json").status_code for _ in range(11)
    ]
    assert statuses[-1] == 429


def test_an_unknown_user_factory_email_cannot_log_in(api):
    UserFactory.create(email="exists@example.com")
    assert api(None).post(LOGIN, {"email": "exists@example.com", "password": "x"}, format="json").status_code == 400


def test_a_browser_login_starts_a_session_only_with_a_valid_csrf_token(person):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    body = {"email": person.email, "password": PASSWORD}
    forged = browser.post(LOGIN, body, format="json")
    assert forged.status_code == 200 and forged.json()["token"]  # a token client is unaffected
    assert browser.get("/api/v1/me").status_code == 401  # but no session was started

    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    signed_in = browser.post(LOGIN, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert signed_in.status_code == 200
    assert signed_in.json()["token"] is None  # a browser's credential is its session cookie alone
    assert browser.get("/api/v1/me").json()["email"] == person.email


def test_deleting_an_account_leaves_no_row_that_references_the_person(seats):
    from django.apps import apps

    from checkin.services import discussion_note_add
    from notifications.models import Preferences, PushSubscription
    from tests.builders import revealed_round

    revealed_round(seats, alice=(2, 3), bob=(3, 2))
    discussion = seats.alice.memberships.get().couple.discussions.first()
    discussion_note_add(user=seats.alice, discussion=discussion, text="mine")
    Preferences.objects.create(user=seats.alice, quiet_hours_start="22:00", quiet_hours_end="07:00")
    PushSubscription.objects.create(user=seats.alice, endpoint="https://push.example.com/a", p256dh="k", auth="a")
    alice_id = seats.alice.pk

    assert seats.alice_api.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204

    user_model = apps.get_model("couples", "User")
    referencing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and (field.many_to_one or field.one_to_one):
                if getattr(field, "related_model", None) is user_model and not field.auto_created:
                    if model._default_manager.filter(**{field.name: alice_id}).exists():
                        referencing.append(f"{model.__name__}.{field.name}")
    assert referencing == []
    assert not user_model.objects.filter(pk=alice_id).exists()
    assert not discussion.notes.filter(text="mine").exists()  # her words went with her
    # The partner keeps their own answers; the couple's rounds stay with the couple.
    assert seats.bob.answers.count() == 1


def test_a_browser_registration_starts_a_session_only_with_a_valid_csrf_token(db):
    from rest_framework.test import APIClient

    body = {"email": "new@example.com", "password": "a long enough passphrase", "display_name": "New"}
    forged = APIClient(enforce_csrf_checks=True)
    assert forged.post(REGISTER, body, format="json").status_code == 201
    assert forged.get("/api/v1/me").status_code == 401  # an account, but no session in that browser

    browser = APIClient(enforce_csrf_checks=True)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    body["email"] = "other@example.com"
    assert browser.post(REGISTER, body, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201
    assert browser.get("/api/v1/me").json()["email"] == "other@example.com"


def test_sessions_started_before_the_change_of_engine_stay_signed_in_and_say_whose_they_are(person):
    import importlib

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
    from django.contrib.sessions.models import Session

    from couples.models import BrowserSession
    from couples.sessions import SessionStore

    old = DjangoSessionStore()
    old["_auth_user_id"] = str(person.pk)
    old.save()
    migration = importlib.import_module("couples.migrations.0003_browser_sessions")
    migration.sessions_carried_over(apps, None)

    assert not Session.objects.exists()
    assert BrowserSession.objects.get(session_key=old.session_key).user_id == person.pk
    assert SessionStore(session_key=old.session_key)["_auth_user_id"] == str(person.pk)
