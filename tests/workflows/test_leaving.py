"""Leaving keeps what was shared: after a couple ends, each former partner still reads its
check-ins, trends and talks, read-only; whoever leaves may take their own answers and notes along
(`remove_my_answers`), and the other then sees that they were removed. Every read from the four
seats: the two former partners, an outsider and nobody."""

import pytest

from checkin import scheduler
from checkin.models import Answer, DiscussionNote, Flag, Round
from tests.builders import a_discussion, answer, client_for, open_round, person_named, revealed_round
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LEAVE = "/api/v1/couple/leave"


def _leave(client, **body) -> None:
    response = client.post(LEAVE, body, format="json")
    assert response.status_code == 204, response.content


def _reads(client, round_id: int, discussion_id: int) -> dict:
    """What `client` reads of the couple: its history's ids, one check-in, trends and talks."""
    return {
        "history": [r["id"] for r in client.get("/api/v1/checkins").json()["results"]],
        "checkin": client.get(f"/api/v1/checkins/{round_id}").status_code,
        "trends": client.get("/api/v1/checkins/trends").json()["rounds"],
        "talk listed": discussion_id in [d["id"] for d in client.get("/api/v1/discussions").json()["results"]],
        "talk": client.get(f"/api/v1/discussions/{discussion_id}").status_code,
    }


def test_after_bob_leaves_both_still_read_the_couples_check_ins_trends_and_talks_and_outsiders_do_not(seats):
    calm = revealed_round(seats, alice=(4, 4), bob=(5, 4))
    discussion = a_discussion(seats)
    _leave(seats.bob_api)
    for client in (seats.alice_api, seats.bob_api):
        assert _reads(client, calm.pk, discussion.pk) == {
            "history": [discussion.checkin_id, calm.pk],
            "checkin": 200,
            "trends": 2,
            "talk listed": True,
            "talk": 200,
        }
    shown = seats.alice_api.get(f"/api/v1/checkins/{calm.pk}").json()
    assert shown["partner"]["display_name"] == "Bob"
    assert (shown["partner"]["response"]["connection"], shown["partner"]["removed"]) == (5, False)
    assert seats.alice_api.get(f"/api/v1/discussions/{discussion.pk}").json()["read_only"] is True
    assert _reads(seats.charlie_api, calm.pk, discussion.pk) == {
        "history": [],
        "checkin": 404,
        "trends": 0,
        "talk listed": False,
        "talk": 404,
    }
    assert seats.anonymous_api.get(f"/api/v1/checkins/{calm.pk}").status_code in (401, 403)


def test_a_former_couples_check_in_and_talk_are_read_only_409s_that_change_nothing(seats):
    discussion = a_discussion(seats)
    seats.bob_api.post(f"/api/v1/discussions/{discussion.pk}/notes", {"text": "before"}, format="json")
    _leave(seats.alice_api)
    for client in (seats.alice_api, seats.bob_api):
        assert answer(client, discussion.checkin_id, connection=1, independence=1).status_code == 409
        note = client.post(f"/api/v1/discussions/{discussion.pk}/notes", {"text": "after"}, format="json")
        assert note.status_code == 409
        assert "ended" in note.json()["detail"]
        assert client.post(f"/api/v1/discussions/{discussion.pk}/resolve").status_code == 409
        # Not paired any more: no "check in now".
        assert client.post("/api/v1/checkins").status_code == 409
    assert sorted(Answer.objects.filter(round_id=discussion.checkin_id).values_list("connection", flat=True)) == [2, 3]
    assert list(DiscussionNote.objects.filter(discussion=discussion).values_list("text", flat=True)) == ["before"]
    discussion.refresh_from_db()
    assert (discussion.status, discussion.resolved_at) == ("open", None)


def test_a_former_couples_round_that_expired_never_shows_the_partners_lone_answer(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=2, note="only mine")
    _leave(seats.alice_api)  # its open round closes with the couple
    seen_by_bob = seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_bob["status"] == "expired"
    assert seen_by_bob["partner"]["response"] is None
    assert "only mine" not in seats.bob_api.get("/api/v1/checkins").content.decode()
    assert seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()["me"]["response"]["note"] == "only mine"


def test_leaving_with_my_answers_takes_them_and_my_notes_and_alice_sees_them_removed(seats):
    checkin_round = revealed_round(seats, alice=(2, 3), bob=(3, 2))  # pursue/withdraw: a talk
    discussion_id = seats.alice_api.get("/api/v1/discussions").json()["results"][0]["id"]
    for client, text in ((seats.alice_api, "from alice"), (seats.bob_api, "from bob")):
        client.post(f"/api/v1/discussions/{discussion_id}/notes", {"text": text}, format="json")
    _leave(seats.bob_api, remove_my_answers=True)

    seen_by_alice = seats.alice_api.get(f"/api/v1/checkins/{checkin_round.pk}").json()
    assert seen_by_alice["partner"] == {"display_name": "Bob", "answered": True, "response": None, "removed": True}
    assert seen_by_alice["me"]["response"]["connection"] == 2
    assert seen_by_alice["patterns"] is None
    assert seats.alice_api.get("/api/v1/checkins").json()["results"][0]["partner"]["removed"] is True
    assert seats.alice_api.get("/api/v1/checkins/trends").json()["rounds"] == 0
    talk = seats.alice_api.get(f"/api/v1/discussions/{discussion_id}").json()
    assert [note["text"] for note in talk["notes"]] == ["from alice"]
    # Bob still reads what Alice shared with him; his own side says it is gone.
    seen_by_bob = seats.bob_api.get(f"/api/v1/checkins/{checkin_round.pk}").json()
    assert seen_by_bob["me"] == {"answered": True, "response": None, "removed": True}
    assert seen_by_bob["partner"]["response"]["connection"] == 2
    assert not Answer.objects.filter(user=seats.bob).exists()
    assert not Flag.objects.filter(about_user=seats.bob).exists()
    assert "from bob" not in seats.bob_api.get("/api/v1/me/export").content.decode()
    exported = seats.alice_api.get("/api/v1/me/export").json()["checkins"]
    assert [(c["id"], c["partner"]["removed"], c["me"]["response"]["connection"]) for c in exported] == [
        (checkin_round.pk, True, 2)
    ]


def test_leaving_keeps_every_answer_by_default(seats):
    revealed_round(seats)
    _leave(seats.bob_api)
    assert Answer.objects.filter(user=seats.bob).count() == 1
    assert seats.alice_api.get("/api/v1/checkins").json()["results"][0]["partner"]["removed"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [({"remove_my_answers": "perhaps"}, "remove_my_answers"), ({"remove_answers": True}, "remove_answers")],
)
def test_a_leave_with_a_body_it_cannot_read_is_a_400_and_the_couple_lasts(seats, body, field):
    response = seats.bob_api.post(LEAVE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert seats.alice_api.get("/api/v1/couple").status_code == 200


def test_with_a_new_partner_the_old_rounds_stay_read_only_and_the_new_couple_answers_as_ever(seats):
    old = revealed_round(seats)
    _leave(seats.bob_api)
    noor = person_named("Noor")
    code = client_for(noor).post("/api/v1/couple/invites").json()["code"]
    assert seats.alice_api.post("/api/v1/couple/join", {"code": code}, format="json").status_code == 201
    new = open_round(seats.alice_api)["id"]
    assert answer(seats.alice_api, new).status_code == 200
    assert answer(seats.alice_api, old.pk).status_code == 409
    assert client_for(noor).get(f"/api/v1/checkins/{old.pk}").status_code == 404
    # Trends are one couple's: the current one.
    assert seats.alice_api.get("/api/v1/checkins/trends").json()["rounds"] == 0


def test_after_an_account_is_deleted_the_partner_still_reads_the_rounds_without_its_answers(seats):
    checkin_round = revealed_round(seats, alice=(4, 4), bob=(1, 1))
    response = seats.bob_api.delete("/api/v1/me", {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content
    seen_by_alice = seats.alice_api.get(f"/api/v1/checkins/{checkin_round.pk}").json()
    assert seen_by_alice["partner"] == {"display_name": None, "answered": False, "response": None, "removed": False}
    assert seen_by_alice["me"]["response"]["connection"] == 4
    assert not Round.objects.filter(answers__user_id=seats.bob.pk).exists()


def test_a_round_the_tick_closes_after_the_couple_ended_is_still_read(seats):
    round_id = open_round(seats.alice_api)["id"]
    _leave(seats.alice_api)
    scheduler.tick(now=Round.objects.get(pk=round_id).closes_at)
    assert seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()["status"] == "expired"
