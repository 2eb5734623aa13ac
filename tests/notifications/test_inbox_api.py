"""The in-app inbox: list with unread filter and unread_count, read, read-all; one's own only."""

import re

import pytest

from notifications import policy, services
from notifications.messages import PATHS, app_path
from notifications.models import Notification
from web.screens import SCREEN_PATH_PATTERN

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/notifications"


@pytest.fixture
def inbox(seats):
    Notification.objects.all().delete()  # start from an empty inbox, without the pairing news
    for n in range(3):
        services.notify(user_ids=[seats.alice.pk], kind="results_ready", subject=f"round:{n}")
    services.notify(user_ids=[seats.bob.pk], kind="results_ready", subject="round:0")
    return Notification.objects.filter(user=seats.alice).order_by("created_at", "pk")


def test_the_inbox_lists_my_notifications_newest_first_with_an_unread_count(seats, inbox):
    body = seats.alice_api.get(INBOX).json()
    assert body["count"] == 3 and body["unread_count"] == 3
    assert [n["id"] for n in body["results"]] == [n.pk for n in reversed(inbox)]
    first = body["results"][0]
    assert set(first) == {"id", "kind", "title", "body", "data", "created_at", "read_at", "path"}
    assert first["title"] == "You have both checked in"


def test_reading_one_lowers_the_count_and_the_unread_filter_follows(seats, inbox):
    response = seats.alice_api.post(f"{INBOX}/{inbox[0].pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert seats.alice_api.get(INBOX).json()["unread_count"] == 2
    assert seats.alice_api.get(INBOX, {"unread": "true"}).json()["count"] == 2
    assert seats.alice_api.get(INBOX, {"unread": "false"}).json()["count"] == 1
    assert seats.alice_api.post(f"{INBOX}/{inbox[0].pk}/read").status_code == 200  # twice is fine


def test_read_all_marks_everything_read(seats, inbox):
    response = seats.alice_api.post(f"{INBOX}/read-all")
    assert response.status_code == 200
    assert response.json() == {"marked_read": 3, "unread_count": 0}
    assert seats.alice_api.get(INBOX).json()["unread_count"] == 0
    assert seats.bob_api.get(INBOX).json()["unread_count"] == 1  # Bob's are his own


def test_one_notification_reads_as_in_the_list_without_marking_it_read(seats, inbox):
    # What a push's or an email's link (/notifications/<id>) opens: the app reads its kind and data.
    notification = inbox[0]
    body = seats.alice_api.get(f"{INBOX}/{notification.pk}").json()
    assert body["id"] == notification.pk and body["kind"] == "results_ready" and body["read_at"] is None
    assert seats.alice_api.get(INBOX).json()["unread_count"] == 3


def test_someone_elses_notification_looks_missing(seats, inbox):
    assert seats.bob_api.get(f"{INBOX}/{inbox[0].pk}").status_code == 404
    assert seats.anonymous_api.get(f"{INBOX}/{inbox[0].pk}").status_code == 401
    assert seats.bob_api.post(f"{INBOX}/{inbox[0].pk}/read").status_code == 404
    assert seats.charlie_api.get(INBOX).json()["count"] == 0
    assert seats.anonymous_api.get(INBOX).status_code == 401
    assert Notification.objects.get(pk=inbox[0].pk).read_at is None


def test_a_bad_unread_filter_is_a_400(seats):
    response = seats.alice_api.get(INBOX, {"unread": "maybe"})
    assert response.status_code == 400 and "unread" in response.json()


def test_no_notification_text_carries_ratings_or_guilt():
    from notifications.messages import TEXTS

    for title, body in TEXTS.values():
        text = f"{title} {body}".lower()
        assert not any(ch.isdigit() for ch in text)
        for pressure in ("waiting", "must", "should", "don't forget", "streak", "missed", "hurry"):
            assert pressure not in text, text


def test_a_notification_says_which_screen_of_the_app_it_opens(seats):
    services.notify(user_ids=[seats.alice.pk], kind="results_ready", subject="round:7", data={"round_id": 7})
    services.notify(user_ids=[seats.alice.pk], kind="nudge", subject="round:8")
    services.notify(user_ids=[seats.alice.pk], kind="discussion_opened", subject="round:9")  # an old one, no id
    paths = {n["kind"]: n["path"] for n in seats.alice_api.get(INBOX).json()["results"]}
    assert paths["results_ready"] == "/checkins/7"
    assert paths["nudge"] == "/checkin"
    assert paths["discussion_opened"] == "/discussions"


def test_every_kind_in_the_inbox_opens_a_screen_the_app_has():
    in_the_inbox = set(Notification.Kind) - policy.ACCOUNT_KINDS  # account emails are email alone
    assert set(PATHS) == in_the_inbox
    for kind in in_the_inbox:
        path, without_data = PATHS[kind]
        filled = app_path(kind=kind, data={"round_id": 1, "discussion_id": 2})
        for opened in (filled, without_data):
            assert re.match(SCREEN_PATH_PATTERN, opened), (kind, opened)
