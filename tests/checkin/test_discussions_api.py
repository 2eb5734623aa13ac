"""Discussions through the API: list with a status filter, detail, notes, resolve; scoped to the couple."""

import pytest

from checkin.models import Discussion
from tests.builders import a_discussion

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussion(seats) -> Discussion:
    return a_discussion(seats)


def test_a_flagged_round_opens_a_discussion_both_partners_see(seats, discussion):
    for client in (seats.alice_api, seats.bob_api):
        body = client.get("/api/v1/discussions").json()
        assert body["count"] == 1
        item = body["results"][0]
        assert set(item) == {
            "id",
            "kind",
            "summary",
            "prompt",
            "points",
            "checkin_id",
            "status",
            "notes",
            "created_at",
            "resolved_at",
            "read_only",
        }
        assert (item["kind"], item["status"], item["resolved_at"]) == ("pursue_withdraw", "open", None)
        assert item["prompt"]
        assert item["points"] == [{"kind": "pursue_withdraw", "dimension": None, "summary": item["summary"]}]


def test_notes_are_added_and_shown_with_their_author(seats, discussion):
    response = seats.bob_api.post(
        f"/api/v1/discussions/{discussion.pk}/notes", {"text": "Let's talk Sunday"}, format="json"
    )
    assert response.status_code == 201
    notes = seats.alice_api.get(f"/api/v1/discussions/{discussion.pk}").json()["notes"]
    assert [(n["author"]["display_name"], n["text"]) for n in notes] == [("Bob", "Let's talk Sunday")]


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "x" * 2001}, {"text": "ok", "extra": 1}])
def test_a_bad_note_is_a_400(seats, discussion, body):
    assert seats.bob_api.post(f"/api/v1/discussions/{discussion.pk}/notes", body, format="json").status_code == 400


def test_resolving_marks_it_resolved_and_the_filter_follows(seats, discussion):
    response = seats.alice_api.post(f"/api/v1/discussions/{discussion.pk}/resolve")
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    assert seats.alice_api.get("/api/v1/discussions", {"status": "open"}).json()["count"] == 0
    assert seats.alice_api.get("/api/v1/discussions", {"status": "resolved"}).json()["count"] == 1
    assert seats.alice_api.post(f"/api/v1/discussions/{discussion.pk}/resolve").status_code == 200


def test_an_unknown_status_filter_is_a_400(seats, discussion):
    response = seats.alice_api.get("/api/v1/discussions", {"status": "closed"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_another_couples_discussion_looks_missing(seats, discussion):
    assert seats.charlie_api.get("/api/v1/discussions").json()["count"] == 0
    for method, path in (
        ("get", f"/api/v1/discussions/{discussion.pk}"),
        ("post", f"/api/v1/discussions/{discussion.pk}/notes"),
        ("post", f"/api/v1/discussions/{discussion.pk}/resolve"),
    ):
        assert getattr(seats.charlie_api, method)(path, {"text": "hi"}, format="json").status_code == 404
        assert getattr(seats.anonymous_api, method)(path, {"text": "hi"}, format="json").status_code == 401
    discussion.refresh_from_db()
    assert discussion.status == "open" and not discussion.notes.exists()
