"""One device at a time: every sign-in is a device (a browser's session or a token of its own),
listed by GET /me/devices and signed out alone by DELETE /me/devices/{id} or by logout."""

from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

import config.urls
from couples import devices
from couples.models import BrowserSession, Device
from tests.builders import person_named
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


class PasswordChange(APIView):
    """What a password change does once the new password is set (added for these tests only)."""

    def post(self, request):
        request.user.set_password("a new long passphrase")
        request.user.save(update_fields=["password"])
        devices.sign_out_other_devices(request=request, user=request.user)
        return Response(status=204)


urlpatterns = [path("api/v1/test/password-changed", PasswordChange.as_view()), *config.urls.urlpatterns]

LOGIN = "/api/v1/auth/login"
DEVICES = "/api/v1/me/devices"


@pytest.fixture
def seats(db) -> SimpleNamespace:
    """Three people, none signed in anywhere yet: each device below is one a test signs in."""
    return SimpleNamespace(**{name.lower(): person_named(name) for name in ("Alice", "Bob", "Charlie")})


def token_client(user, user_agent: str = "tandem-cli/1.0") -> APIClient:
    """A client that logs in as API clients do (no CSRF cookie), and then calls with its token."""
    return with_token(token_login(user, user_agent), user_agent)


def token_login(user, user_agent: str = "tandem-cli/1.0") -> str:
    client = APIClient(enforce_csrf_checks=True, HTTP_USER_AGENT=user_agent)
    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()["token"]


def with_token(key: str, user_agent: str = "tandem-cli/1.0") -> APIClient:
    return APIClient(enforce_csrf_checks=True, HTTP_USER_AGENT=user_agent, HTTP_AUTHORIZATION=f"Token {key}")


def browser(user, user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0") -> APIClient:
    """A browser signed in as the app does: the CSRF cookie first, then a login that starts a session."""
    client = APIClient(enforce_csrf_checks=True, HTTP_USER_AGENT=user_agent)
    csrf = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    body = {"email": user.email, "password": PASSWORD}
    assert client.post(LOGIN, body, format="json", HTTP_X_CSRFTOKEN=csrf).json()["token"] is None
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client


def listed(client) -> list[dict]:
    response = client.get(DEVICES)
    assert response.status_code == 200
    return response.json()


def test_every_sign_in_is_listed_as_a_device_and_the_one_asking_is_current(seats):
    cli, phone = token_client(seats.alice), browser(seats.alice)
    token_client(seats.bob)  # someone else's: never listed

    from_cli = listed(cli)
    assert {(d["kind"], d["user_agent"], d["current"]) for d in from_cli} == {
        ("token", "tandem-cli/1.0", True),
        ("browser", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", False),
    }
    assert set(from_cli[0]) == {"id", "kind", "user_agent", "created_at", "last_used_at", "current"}
    assert [d["current"] for d in listed(phone) if d["kind"] == "browser"] == [True]


def test_a_client_that_is_not_a_browser_signs_in_without_a_warning_in_the_logs(seats, caplog):
    # Choosing a token over a session is no forgery: an operator's logs get no "Forbidden" line for it.
    token_client(seats.alice)
    assert [record.getMessage() for record in caplog.records if record.levelname != "INFO"] == []


def test_signing_out_another_token_refuses_it_at_once_and_keeps_the_caller(seats):
    laptop, old_script = token_client(seats.alice), token_client(seats.alice)
    old_id = next(d["id"] for d in listed(old_script) if d["current"])

    assert laptop.delete(f"{DEVICES}/{old_id}").status_code == 204

    assert old_script.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200
    assert old_id not in [d["id"] for d in listed(laptop)]


def test_signing_out_a_browser_from_another_device_ends_its_session(seats):
    phone, laptop = browser(seats.alice), browser(seats.alice, user_agent="Safari on an iPhone")
    phone_id = next(d["id"] for d in listed(phone) if d["current"])

    assert laptop.delete(f"{DEVICES}/{phone_id}").status_code == 204

    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200
    assert BrowserSession.objects.filter(user_id=seats.alice.pk).count() == 1


def test_a_browser_can_sign_itself_out_from_its_own_list(seats):
    phone = browser(seats.alice)
    phone_id = next(d["id"] for d in listed(phone) if d["current"])
    assert phone.delete(f"{DEVICES}/{phone_id}").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert not Device.objects.filter(user=seats.alice).exists()


def test_another_persons_device_is_a_404_and_stays_signed_in(seats):
    bobs = token_client(seats.bob)
    bobs_id = next(d["id"] for d in listed(bobs) if d["current"])
    alice = token_client(seats.alice)

    response = alice.delete(f"{DEVICES}/{bobs_id}")
    assert response.status_code == 404
    assert alice.delete(f"{DEVICES}/{bobs_id + 1000}").json() == response.json()  # none at all looks the same
    assert bobs.get("/api/v1/me").status_code == 200


def test_logout_signs_out_the_calling_device_only(seats):
    cli, script, phone = token_client(seats.alice), token_client(seats.alice), browser(seats.alice)

    assert cli.post("/api/v1/auth/logout").status_code == 204
    assert cli.get("/api/v1/me").status_code == 401
    assert script.get("/api/v1/me").status_code == 200
    assert phone.get("/api/v1/me").status_code == 200

    assert phone.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert script.get("/api/v1/me").status_code == 200


def test_a_token_unused_for_the_idle_days_is_refused_and_removed(seats):
    cli = token_client(seats.alice)
    later = timezone.now() + timedelta(days=settings.DEVICE_IDLE_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = cli.get("/api/v1/me")
    assert response.status_code == 401
    assert "Sign in again" in response.json()["detail"]
    assert not Device.objects.filter(user=seats.alice).exists()


def test_a_token_in_use_does_not_expire_and_shows_its_last_use(seats):
    cli = token_client(seats.alice)
    almost = timezone.now() + timedelta(days=settings.DEVICE_IDLE_DAYS - 1)
    twice = almost + timedelta(days=settings.DEVICE_IDLE_DAYS - 1)
    for moment in (almost, twice):
        with time_machine.travel(moment, tick=False):
            assert cli.get("/api/v1/me").status_code == 200
    assert Device.objects.get(user=seats.alice).last_used_at == twice


def test_a_browser_in_use_stays_signed_in_and_one_unused_for_the_idle_days_is_not(seats):
    phone = browser(seats.alice)
    moment = timezone.now()
    for _ in range(3):  # long past Django's default of two weeks from the sign-in
        moment += timedelta(days=settings.DEVICE_IDLE_DAYS - 1)
        with time_machine.travel(moment, tick=False):
            assert phone.get("/api/v1/me").status_code == 200
    with time_machine.travel(moment + timedelta(days=settings.DEVICE_IDLE_DAYS, minutes=1), tick=False):
        assert phone.get("/api/v1/me").status_code == 401


def test_token_authentication_is_one_query_while_its_last_use_is_fresh(seats, django_assert_max_num_queries):
    cli = token_client(seats.alice)
    with django_assert_max_num_queries(1):
        assert cli.get("/api/v1/me").status_code == 200
    # Past the touch interval, one more: the last use is written, once.
    later = timezone.now() + timedelta(minutes=settings.DEVICE_TOUCH_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        with django_assert_max_num_queries(2):
            assert cli.get("/api/v1/me").status_code == 200
        with django_assert_max_num_queries(1):
            assert cli.get("/api/v1/me").status_code == 200
    assert Device.objects.get(user=seats.alice).last_used_at == later


def test_a_browsers_last_use_moves_on_now_and_then_without_a_write_per_request(seats, django_assert_max_num_queries):
    phone = browser(seats.alice)
    with django_assert_max_num_queries(2):  # the session and the person, as before devices
        assert phone.get("/api/v1/me").status_code == 200
    later = timezone.now() + timedelta(minutes=settings.DEVICE_TOUCH_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert phone.get("/api/v1/me").status_code == 200
    assert Device.objects.get(user=seats.alice).last_used_at == later


def test_a_session_signed_in_before_devices_were_kept_becomes_one_when_seen(seats):
    old = Client()
    old.force_login(seats.alice)  # a session with no device, as those of before (or the admin's)
    assert old.get("/api/v1/me").status_code == 200
    [device] = listed(old)
    assert device["kind"] == "browser" and device["current"]
    assert token_client(seats.alice).delete(f"{DEVICES}/{device['id']}").status_code == 204
    assert old.get("/api/v1/me").status_code == 401


def test_signing_out_every_device_but_one(seats):
    keep, other, phone = token_client(seats.alice), token_client(seats.alice), browser(seats.alice)
    bobs = token_client(seats.bob)
    kept = Device.objects.get(pk=next(d["id"] for d in listed(keep) if d["current"]))

    devices.sign_out_devices(user=seats.alice, keep=kept)

    assert keep.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 401
    assert bobs.get("/api/v1/me").status_code == 200

    devices.sign_out_devices(user=seats.alice)
    assert keep.get("/api/v1/me").status_code == 401


def test_keeping_a_browser_keeps_its_session(seats):
    phone, other = browser(seats.alice), browser(seats.alice)
    kept = Device.objects.get(pk=next(d["id"] for d in listed(phone) if d["current"]))
    devices.sign_out_devices(user=seats.alice, keep=kept)
    assert phone.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401


def test_the_sweep_removes_idle_tokens_and_expired_sessions(seats):
    token_client(seats.alice)
    browser(seats.bob)
    fresh = token_client(seats.charlie)
    Device.objects.filter(user=seats.alice).update(last_used_at=timezone.now() - timedelta(days=365))
    BrowserSession.objects.filter(user_id=seats.bob.pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    assert devices.devices_sweep() == 1

    assert not Device.objects.filter(user__in=[seats.alice, seats.bob]).exists()
    assert not BrowserSession.objects.filter(user_id=seats.bob.pk).exists()
    assert fresh.get("/api/v1/me").status_code == 200


def test_the_export_holds_my_devices_without_their_secrets(seats):
    key = token_login(seats.alice)
    cli = with_token(key)
    browser(seats.alice)
    export = cli.get("/api/v1/me/export").json()
    assert sorted(d["kind"] for d in export["devices"]) == ["browser", "token"]
    assert set(export["devices"][0]) == {"id", "kind", "user_agent", "created_at", "last_used_at"}
    assert key not in str(export) and devices.token_digest(key) not in str(export)


def test_deleting_the_account_removes_its_devices(seats):
    cli, phone = token_client(seats.alice), browser(seats.alice)
    assert cli.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204
    assert not Device.objects.filter(user_id=seats.alice.pk).exists()
    assert phone.get("/api/v1/me").status_code == 401


def test_a_token_is_kept_only_as_its_digest(seats):
    key = token_login(seats.alice)
    device = Device.objects.get(user=seats.alice)
    assert device.token_digest == devices.token_digest(key) != key
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM couples_device WHERE token_digest = %s OR user_agent = %s", [key, key])
        assert cursor.fetchone()[0] == 0


def test_tokens_of_before_devices_keep_working_after_the_migration(seats):
    key = "0123456789abcdef0123456789abcdef01234567"  # rest_framework.authtoken's form
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token"
            " (key varchar(40) PRIMARY KEY, created timestamp with time zone, user_id bigint)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now(), seats.alice.pk])
    migration = import_module("couples.migrations.0007_devices")
    migration.tokens_carried_over(apps, SimpleNamespace(connection=connection))

    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me").json()["email"] == seats.alice.email
    assert "authtoken_token" not in connection.introspection.table_names()  # no plain key is left


def test_a_signed_out_device_cannot_go_on_asking_what_changed_with_its_cursor(
    seats, django_capture_on_commit_callbacks
):
    phone, laptop = browser(seats.alice), token_client(seats.alice)
    phone_cursor = phone.get("/api/v1/changes").json()["cursor"]
    laptop_cursor = laptop.get("/api/v1/changes").json()["cursor"]
    assert phone.get("/api/v1/changes", {"since": phone_cursor}).status_code == 204
    phone_id = next(d["id"] for d in listed(phone) if d["current"])

    with django_capture_on_commit_callbacks(execute=True):
        assert laptop.delete(f"{DEVICES}/{phone_id}").status_code == 204

    assert phone.get("/api/v1/changes", {"since": phone_cursor}).status_code == 401
    # The device still signed in is asked to read everything again, once, with a new cursor.
    again = laptop.get("/api/v1/changes", {"since": laptop_cursor})
    assert again.status_code == 200
    assert laptop.get("/api/v1/changes", {"since": again.json()["cursor"]}).status_code == 204


@pytest.mark.urls(__name__)
def test_a_password_change_in_a_browser_keeps_that_browser_as_it_was_and_signs_out_the_rest(seats):
    phone, laptop, cli = browser(seats.alice), browser(seats.alice), token_client(seats.alice)
    [before] = [d for d in listed(phone) if d["current"]]

    assert phone.post("/api/v1/test/password-changed").status_code == 204

    assert laptop.get("/api/v1/me").status_code == 401
    assert cli.get("/api/v1/me").status_code == 401
    assert listed(phone) == [{**before, "current": True}]


@pytest.mark.urls(__name__)
def test_a_password_change_from_a_token_client_keeps_that_token_only(seats):
    cli, other, phone = token_client(seats.alice), token_client(seats.alice), browser(seats.alice)
    assert cli.post("/api/v1/test/password-changed").status_code == 204
    assert cli.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 401
