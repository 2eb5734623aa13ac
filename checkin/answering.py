"""Answering a round, the busiest write: the ORM locks the round of the caller's couple with the
UPDATE that moves its version on, refuses a closed one, then creates or edits the caller's answer;
the second answer reveals the round. The round row stays locked until commit, so both partners
pressing submit at the same instant take turns: the second counts the first's committed answer and
is the one that reveals.

A written-out PostgreSQL statement that locked the round and edited an answer at once was measured
on the bench's realistic answer mix (first answers, reveals, edits) and removed: it saved 1-2 ms of
median but its p99 was seven times the ORM's (bench/RESULTS.md, "API writes").
"""

from datetime import datetime

from django.db import transaction

from checkin import later, subjects
from checkin.errors import NoSuchRound, RoundClosed
from checkin.models import Answer, Round
from checkin.round_changes import rounds_change
from couples.models import User
from couples.selectors import current_member_ids, member_couple_ids
from notifications.models import Notification
from notifications.services import notify

# What an answer's body sets: connection, independence, note, private_note.
BODY_FIELDS = ("connection", "independence", "note", "private_note")


@transaction.atomic
def answer(*, user: User, round_id: int, body: dict, now: datetime) -> Answer:
    """Record or edit `user`'s answer to a round of their current couple (checkin.services
    .answer_submit is the service that calls this)."""
    # Scoped to the user's couples (as reads are: a couple that ended too, whose rounds are all
    # closed, so that its round is refused as closed, not as missing), the round is locked (an
    # UPDATE locks as SELECT ... FOR UPDATE does) and its version moves on: whatever follows
    # changes its views. A refused answer raises, and the transaction takes the version back.
    if not rounds_change(Round.objects.filter(pk=round_id, couple_id__in=member_couple_ids(user=user))):
        raise NoSuchRound()
    checkin_round = Round.objects.get(pk=round_id)
    _refuse_closed(status=checkin_round.status, closes_at=checkin_round.closes_at, now=now)
    return _created_or_edited(round_id=round_id, couple_id=checkin_round.couple_id, user=user, body=body, now=now)


def _refuse_closed(*, status: str, closes_at: datetime, now: datetime) -> None:
    if status != Round.Status.OPEN or closes_at <= now:
        raise RoundClosed()


def _created_or_edited(*, round_id: int, couple_id: int, user: User, body: dict, now: datetime) -> Answer:
    """The caller's answer to the round they hold locked, made or edited; the second reveals."""
    answer, created = Answer.objects.get_or_create(
        round_id=round_id, user=user, defaults={**body, "submitted_at": now, "updated_at": now}
    )
    if not created:
        for field, value in {**body, "updated_at": now}.items():
            setattr(answer, field, value)
        answer.save(update_fields=[*body, "updated_at"])
    elif Answer.objects.filter(round_id=round_id).count() == 2:
        _round_reveal(round_id=round_id, couple_id=couple_id, now=now)
    return answer


def _round_reveal(*, round_id: int, couple_id: int, now: datetime) -> None:
    rounds_change(Round.objects.filter(pk=round_id), status=Round.Status.REVEALED, revealed_at=now, closed_at=now)
    notify(
        user_ids=current_member_ids(couple_id=couple_id),
        kind=Notification.Kind.RESULTS_READY,
        subject=subjects.of_round(round_id),
        data={"round_id": round_id},
    )
    # The analysis runs after commit. `robust`: with the broker down the answer still succeeds,
    # and the tick's sweep of unanalysed rounds (scheduler.sweep_unanalysed_rounds) enqueues it later.
    transaction.on_commit(lambda: later.round_analyse(round_id), robust=True)
