"""An inbox item is read once its person has seen what it is about: the check-in (its page, or the
current one) or the discussion; the partner's items and other subjects stay unread."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from checkin import services
from notifications.services import notify
from tests.builders import a_discussion, answer, open_round, revealed_round

pytestmark = pytest.mark.django_db


def unread_kinds(person) -> list[str]:
    """The kinds of the person's unread items about check-ins and discussions (pairing aside)."""
    unread = person.notifications.filter(read_at__isnull=True).exclude(kind="invite_accepted")
    return sorted(unread.values_list("kind", flat=True))


def test_seeing_a_revealed_check_in_reads_my_items_about_it_and_not_my_partners(seats):
    older = revealed_round(seats, alice=(4, 4), bob=(4, 4))
    checkin_round = revealed_round(seats, alice=(4, 4), bob=(4, 4))
    # Both were told that each round opened and that both answered.
    assert unread_kinds(seats.alice) == ["results_ready"] * 2 + ["round_opened"] * 2

    assert seats.alice_api.get(f"/api/v1/checkins/{checkin_round.pk}").status_code == 200

    about = seats.alice.notifications.filter(subject=f"round:{checkin_round.pk}")
    assert about.count() == 2 and not about.filter(read_at__isnull=True).exists()
    # The other check-in was not seen, and Bob has seen nothing.
    assert unread_kinds(seats.alice) == ["results_ready", "round_opened"]
    assert seats.alice.notifications.filter(read_at__isnull=True, subject=f"round:{older.pk}").count() == 2
    assert len(unread_kinds(seats.bob)) == 4


def test_seeing_the_open_check_in_reads_its_invitations_each_time_they_come(seats):
    round_id = open_round(seats.alice_api)["id"]
    assert unread_kinds(seats.bob) == ["round_opened"]
    assert seats.bob_api.get("/api/v1/checkins/current").status_code == 200
    assert unread_kinds(seats.bob) == []
    assert set(services.round_nudge(round_id=round_id, now=timezone.now())) == {seats.alice.pk, seats.bob.pk}
    assert unread_kinds(seats.bob) == ["nudge"]
    assert seats.bob_api.get("/api/v1/checkins/current").status_code == 200
    assert unread_kinds(seats.bob) == []
    assert unread_kinds(seats.alice) == ["nudge"]


def test_seeing_the_open_check_in_again_leaves_what_was_read_as_it_was(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id)
    seats.bob_api.get("/api/v1/checkins/current")
    first_read = seats.bob.notifications.get(kind="round_opened").read_at
    assert first_read is not None
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert seats.bob_api.get("/api/v1/checkins/current").status_code == 200
    assert seats.bob.notifications.get(kind="round_opened").read_at == first_read


def test_seeing_a_discussion_reads_my_items_about_it(seats):
    discussion = a_discussion(seats)
    # As an earlier release filed them, one per discussion.
    notify(user_ids=[seats.alice.pk, seats.bob.pk], kind="discussion_opened", subject=f"discussion:{discussion.pk}")
    assert seats.bob_api.get(f"/api/v1/discussions/{discussion.pk}").status_code == 200
    assert not seats.bob.notifications.filter(kind="discussion_opened", read_at__isnull=True).exists()
    assert seats.alice.notifications.filter(kind="discussion_opened", read_at__isnull=True).exists()


def test_someone_elses_check_in_reads_nothing(seats):
    checkin_round = revealed_round(seats)
    assert seats.charlie_api.get(f"/api/v1/checkins/{checkin_round.pk}").status_code == 404
    assert len(unread_kinds(seats.alice)) == len(unread_kinds(seats.bob)) == 2
