"""Preferences: per-channel switches, quiet hours, a pause and whether a signal's message shows in
its notifications, validated."""

import pytest

pytestmark = pytest.mark.django_db

PREFERENCES = "/api/v1/notifications/preferences"


def test_defaults_are_everything_on_no_quiet_hours_no_pause_and_no_signal_text(seats):
    assert seats.alice_api.get(PREFERENCES).json() == {
        "push": True,
        "email": True,
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "paused_until": None,
        "signal_text": False,
    }


def test_preferences_can_be_changed_and_read_back(seats):
    body = {
        "email": False,
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:30",
        "paused_until": "2026-12-24T00:00:00Z",
        "signal_text": True,
    }
    response = seats.alice_api.patch(PREFERENCES, body, format="json")
    assert response.status_code == 200
    assert seats.alice_api.get(PREFERENCES).json() == {**body, "push": True, "paused_until": "2026-12-24T00:00:00Z"}
    assert seats.bob_api.get(PREFERENCES).json()["email"] is True  # my own, not the couple's
    assert seats.bob_api.get(PREFERENCES).json()["signal_text"] is False


def test_signal_text_alone_can_be_switched_on_and_off(seats):
    for wanted in (True, False):
        response = seats.alice_api.patch(PREFERENCES, {"signal_text": wanted}, format="json")
        assert response.status_code == 200
        assert seats.alice_api.get(PREFERENCES).json()["signal_text"] is wanted


def test_a_signal_text_that_is_not_true_or_false_is_a_400_asking_for_one(seats):
    response = seats.alice_api.patch(PREFERENCES, {"signal_text": "sometimes"}, format="json")
    assert response.status_code == 400
    assert "boolean" in str(response.json()["signal_text"])


def test_quiet_hours_and_pause_can_be_cleared(seats):
    seats.alice_api.patch(PREFERENCES, {"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"}, format="json")
    response = seats.alice_api.patch(
        PREFERENCES, {"quiet_hours_start": None, "quiet_hours_end": None, "paused_until": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["quiet_hours_start"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"quiet_hours_start": "25:00", "quiet_hours_end": "07:00"}, "quiet_hours_start"),
        ({"quiet_hours_start": "07:00", "quiet_hours_end": "07:00"}, "quiet_hours_end"),
        ({"push": "sometimes"}, "push"),
        ({"paused_until": "next week"}, "paused_until"),
        ({"sms": True}, "sms"),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field(seats, body, field):
    response = seats.alice_api.patch(PREFERENCES, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_vapid_public_key_is_served(seats, settings):
    settings.VAPID_PUBLIC_KEY = "BPublicKeyForTests"
    assert seats.alice_api.get("/api/v1/push/vapid-public-key").json() == {"public_key": "BPublicKeyForTests"}


def test_without_a_vapid_key_the_server_says_push_is_unavailable_instead_of_an_empty_key(seats, settings):
    settings.VAPID_PUBLIC_KEY = ""
    response = seats.alice_api.get("/api/v1/push/vapid-public-key")
    assert response.status_code == 503
    assert "email" in response.json()["detail"]
