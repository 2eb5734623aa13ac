"""After a reveal, the analysis flags what is worth talking about and opens discussions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checkin import services, wording
from checkin.models import Discussion, Flag
from tests.builders import answer, client_for, open_round, pair, revealed_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "private-do-not-quote-51c2"


def kinds(seats, round_id) -> set[tuple]:
    body = seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()
    return {(f["kind"], f["dimension"]) for f in body["flags"]}


def answered_through_the_api(seats, alice, bob, **alice_extra) -> int:
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=alice[0], independence=alice[1], **alice_extra)
    answer(seats.bob_api, round_id, connection=bob[0], independence=bob[1])
    services.round_analyse(round_id=round_id)  # what the task does after commit
    return round_id


def test_one_wanting_closeness_while_the_other_wants_space_is_pursue_withdraw(seats):
    round_id = answered_through_the_api(seats, alice=(2, 3), bob=(3, 2))
    assert kinds(seats, round_id) == {("pursue_withdraw", None)}
    flag = seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()["flags"][0]
    assert flag["summary"] == "Alice would like more closeness; Bob would like more space."
    assert flag["discussion_id"] is not None


def test_the_flags_are_the_same_whoever_invited_and_whoever_answered_first(seats):
    def flags_seen_by(client, round_id) -> list[tuple]:
        body = client.get(f"/api/v1/checkins/{round_id}").json()
        return sorted((f["kind"], f["dimension"], f["summary"]) for f in body["flags"])

    # Alice invited Bob, and Bob answers first.
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.bob_api, round_id, connection=3, independence=2)
    answer(seats.alice_api, round_id, connection=2, independence=3)
    services.round_analyse(round_id=round_id)
    # Another Bob invited another Alice, and she answers first: the same answers otherwise.
    other_bob = UserFactory.create(display_name="Bob")
    other_alice = UserFactory.create(display_name="Alice")
    pair(other_bob, other_alice)
    other_bob_api, other_alice_api = client_for(other_bob), client_for(other_alice)
    other_round_id = open_round(other_bob_api)["id"]
    answer(other_alice_api, other_round_id, connection=2, independence=3)
    answer(other_bob_api, other_round_id, connection=3, independence=2)
    services.round_analyse(round_id=other_round_id)

    flags = flags_seen_by(seats.alice_api, round_id)
    assert flags == [("pursue_withdraw", None, "Alice would like more closeness; Bob would like more space.")]
    for client, shown in (
        (seats.bob_api, round_id),
        (other_alice_api, other_round_id),
        (other_bob_api, other_round_id),
    ):
        assert flags_seen_by(client, shown) == flags


def test_ratings_at_the_met_boundary_flag_nothing(seats):
    round_id = answered_through_the_api(seats, alice=(3, 4), bob=(4, 3))
    assert kinds(seats, round_id) == set()
    assert not Discussion.objects.exists()


def test_a_difference_of_two_is_a_gap_and_one_is_not(seats):
    assert kinds(seats, answered_through_the_api(seats, alice=(5, 4), bob=(3, 4))) == {("gap", "connection")}
    assert kinds(seats, answered_through_the_api(seats, alice=(5, 4), bob=(4, 3))) == set()


def test_both_unmet_on_one_dimension_is_a_shared_need(seats):
    round_id = answered_through_the_api(seats, alice=(4, 2), bob=(4, 1))
    assert kinds(seats, round_id) == {("shared_need", "independence")}


def test_an_unmet_need_three_rounds_in_a_row_is_persistent(seats):
    for weeks_ago in (3, 2):
        revealed_round(seats, alice=(2, 4), bob=(4, 4), at=timezone.now() - timedelta(weeks=weeks_ago))
    round_id = answered_through_the_api(seats, alice=(2, 4), bob=(4, 4))
    found = kinds(seats, round_id)
    assert ("persistent", "connection") in found
    summary = next(f for f in Flag.objects.filter(round_id=round_id, kind="persistent"))
    assert summary.about_user == seats.alice


def test_a_fall_of_two_since_the_last_round_is_a_drop(seats):
    revealed_round(seats, alice=(5, 4), bob=(4, 4), at=timezone.now() - timedelta(weeks=1))
    assert ("drop", "connection") in kinds(seats, answered_through_the_api(seats, alice=(3, 4), bob=(4, 4)))


def test_a_repeated_mismatch_extends_its_open_discussion_instead_of_opening_a_twin(seats):
    first = revealed_round(seats, alice=(2, 3), bob=(3, 2), at=timezone.now() - timedelta(weeks=1))
    second = answered_through_the_api(seats, alice=(2, 3), bob=(3, 2))
    discussions = Discussion.objects.filter(couple=seats.couple, kind="pursue_withdraw")
    assert discussions.count() == 1
    assert (
        Flag.objects.filter(round__in=[first.pk, second], kind="pursue_withdraw")
        .values("discussion")
        .distinct()
        .count()
        == 1
    )


def test_a_mismatch_after_the_discussion_was_resolved_opens_a_new_one(seats):
    revealed_round(seats, alice=(2, 3), bob=(3, 2), at=timezone.now() - timedelta(weeks=1))
    discussion = Discussion.objects.get()
    seats.bob_api.post(f"/api/v1/discussions/{discussion.pk}/resolve")
    answered_through_the_api(seats, alice=(2, 3), bob=(3, 2))
    assert Discussion.objects.filter(kind="pursue_withdraw").count() == 2
    assert Discussion.objects.filter(kind="pursue_withdraw", status="open").count() == 1


def test_analysing_a_round_twice_changes_nothing(seats):
    round_id = answered_through_the_api(seats, alice=(1, 5), bob=(5, 1))
    flags, discussions = Flag.objects.count(), Discussion.objects.count()
    assert flags >= 2
    assert services.round_analyse(round_id=round_id) == []
    assert (Flag.objects.count(), Discussion.objects.count()) == (flags, discussions)


def test_a_mismatch_opens_one_discussion_led_by_its_most_important_flag_with_every_flag_a_point(seats):
    # Alice would like closeness, Bob space, and they are far apart on both: three flags.
    round_id = answered_through_the_api(seats, alice=(1, 5), bob=(5, 1))
    flags = seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()["flags"]
    assert [(f["kind"], f["dimension"]) for f in flags] == [
        ("pursue_withdraw", None),
        ("gap", "connection"),
        ("gap", "independence"),
    ]
    [discussion] = seats.bob_api.get("/api/v1/discussions").json()["results"]
    assert {f["discussion_id"] for f in flags} == {discussion["id"]}
    assert discussion["kind"] == "pursue_withdraw"
    assert discussion["summary"] == flags[0]["summary"] == "Alice would like more closeness; Bob would like more space."
    assert discussion["checkin_id"] == round_id
    assert discussion["points"] == [
        {"kind": f["kind"], "dimension": f["dimension"], "summary": f["summary"]} for f in flags
    ]
    assert seats.alice_api.get(f"/api/v1/discussions/{discussion['id']}").json()["points"] == discussion["points"]


def test_the_reveal_is_the_one_message_and_the_analysis_files_none(seats):
    answered_through_the_api(seats, alice=(1, 5), bob=(5, 1))
    assert Discussion.objects.count() == 1
    for person in (seats.alice, seats.bob):
        assert list(person.notifications.filter(subject__startswith="discussion:")) == []
        assert person.notifications.filter(kind="results_ready").count() == 1


def test_a_later_check_in_led_by_the_open_discussions_kind_adds_its_points_there(seats):
    first = revealed_round(seats, alice=(2, 3), bob=(3, 2), at=timezone.now() - timedelta(weeks=1))
    second = answered_through_the_api(seats, alice=(1, 3), bob=(3, 1))  # pursue/withdraw again, and gaps
    [discussion] = seats.alice_api.get("/api/v1/discussions").json()["results"]
    assert discussion["checkin_id"] == first.pk
    # The latest check-in's points first; one that came up again is listed once.
    assert [(p["kind"], p["dimension"]) for p in discussion["points"]] == [
        ("pursue_withdraw", None),
        ("gap", "connection"),
        ("gap", "independence"),
    ]
    assert {f["discussion_id"] for f in seats.alice_api.get(f"/api/v1/checkins/{second}").json()["flags"]} == {
        discussion["id"]
    }


def test_no_summary_or_prompt_quotes_a_note(seats):
    round_id = answered_through_the_api(seats, alice=(1, 1), bob=(5, 5), note="shared words", private_note=SECRET)
    texts = [f["summary"] for f in seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()["flags"]]
    texts += [d["summary"] + d["prompt"] for d in seats.bob_api.get("/api/v1/discussions").json()["results"]]
    texts += list(seats.bob.notifications.values_list("body", flat=True))
    assert texts
    assert not any(SECRET in text or "shared words" in text for text in texts)


BLAMING_WORDS = ("fault", "blame", "should", "must", "failed", "waiting", "neglect", "always", "never")


def test_every_prompt_and_summary_invites_without_blame():
    from checkin.rules import KINDS, Finding, Side

    texts = [p for kind in KINDS for p in wording.PROMPTS[kind]]
    names = {"a": "Sam", "b": "Alex"}
    for kind in KINDS:
        for dimension in (None, "connection", "independence"):
            about: Side | None = "a" if kind in ("pursue_withdraw", "persistent", "drop") else None
            if (kind == "pursue_withdraw") != (dimension is None):
                continue
            texts.append(wording.summary(Finding(kind, dimension, about), names))
    assert len(texts) > 20
    for text in texts:
        assert not any(word in text.lower().split() for word in BLAMING_WORDS), text


def test_prompts_vary_across_rounds():
    assert len({wording.prompt("gap", variant=n) for n in range(10)}) > 1
