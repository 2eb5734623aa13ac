"""Answering a round, the busiest write: the ORM locks the round of the caller's couple, refuses a
closed one, then creates or edits the caller's answer and moves the round's version on; the second
answer reveals the round. The round row stays locked until commit, so both partners pressing
submit at the same instant take turns: the second counts the first's committed answer and is the
one that reveals. One person's two edits (two tabs, two devices back online) take turns the same
way, and the one made later on its device (`made_at`) is kept whichever arrives last.

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
from config import metrics
from couples import live
from couples.models import User
from couples.selectors import current_member_ids, member_couple_ids
from notifications.models import Notification
from notifications.services import notify

# What an answer's body sets: connection, independence, note, private_note.
BODY_FIELDS = ("connection", "independence", "note", "private_note")


@transaction.atomic
def answer(*, user: User, round_id: int, body: dict, now: datetime, made_at: datetime | None = None) -> Answer:
    """Record or edit `user`'s answer to a round of their couple, made on their device at
    `made_at` (None: made as the server receives it). An edit made before the answer recorded
    changes nothing, and the recorded answer is returned (checkin.services.answer_submit is the
    service that calls this)."""
    # Scoped to the user's couples (as reads are: a couple that ended too, whose rounds are all
    # closed, so that its round is refused as closed, not as missing), the round is locked until
    # commit (on SQLite, the IMMEDIATE transaction holds the whole database): what follows reads
    # the answers it holds still.
    locked = Round.objects.select_for_update().filter(pk=round_id, couple_id__in=member_couple_ids(user=user))
    checkin_round = locked.first()
    if checkin_round is None:
        raise NoSuchRound()
    counted = made_at_counted(made_at=made_at, opens_at=checkin_round.opens_at, now=now)
    if not _answerable(status=checkin_round.status, closes_at=checkin_round.closes_at, now=now):
        # An edit made before the answer kept changes nothing, closed round or not, and is answered
        # with the answer that stays: a later edit from another tab may have revealed the round.
        kept = Answer.objects.filter(round_id=round_id, user=user, made_at__gt=counted).first()
        if kept is None:
            raise RoundClosed()
        return kept
    return _created_or_edited(
        round_id=round_id, couple_id=checkin_round.couple_id, user=user, body=body, made_at=counted, now=now
    )


def made_at_counted(*, made_at: datetime | None, opens_at: datetime, now: datetime) -> datetime:
    """When an edit counts as made: when its device says, but never after the server's `now` (a
    clock ahead would otherwise pin its answer against every later edit until the round closes)
    nor before the round opened (a clock behind, or a made_at from long ago, counts as the oldest
    edit rather than being refused: the answer is the person's, only the clock is off). No made_at
    (an older app, another client) counts as made when the server receives it."""
    if made_at is None:
        return now
    return min(max(made_at, opens_at), now)


def _answerable(*, status: str, closes_at: datetime, now: datetime) -> bool:
    return status == Round.Status.OPEN and closes_at > now


def _created_or_edited(
    *, round_id: int, couple_id: int, user: User, body: dict, made_at: datetime, now: datetime
) -> Answer:
    """The caller's answer to the round they hold locked, made or edited; the second reveals. An
    edit made before the recorded answer was is too late: the recorded answer stays as it is, and
    so does the round (its version too: nothing it shows changed)."""
    answer, created = Answer.objects.get_or_create(
        round_id=round_id, user=user, defaults={**body, "made_at": made_at, "submitted_at": now, "updated_at": now}
    )
    if not created:
        if made_at < answer.made_at:
            return answer
        for field, value in {**body, "made_at": made_at, "updated_at": now}.items():
            setattr(answer, field, value)
        answer.save(update_fields=[*body, "made_at", "updated_at"])
    # The partner's screen shows that this person answered (and then the reveal).
    live.couple_changed(couple_ids=[couple_id], topics=[live.Topic.ROUND])
    if created and Answer.objects.filter(round_id=round_id).count() == 2:
        _round_reveal(round_id=round_id, couple_id=couple_id, now=now)
    else:
        rounds_change(Round.objects.filter(pk=round_id))  # the answer changed, so do its views
    return answer


def _round_reveal(*, round_id: int, couple_id: int, now: datetime) -> None:
    rounds_change(Round.objects.filter(pk=round_id), status=Round.Status.REVEALED, revealed_at=now, closed_at=now)
    metrics.count_after_commit(metrics.ROUNDS_REVEALED)
    notify(
        user_ids=current_member_ids(couple_id=couple_id),
        kind=Notification.Kind.RESULTS_READY,
        subject=subjects.of_round(round_id),
        data={"round_id": round_id},
    )
    # The analysis runs after commit. `robust`: with the broker down the answer still succeeds,
    # and the tick's sweep of unanalysed rounds (scheduler.sweep_unanalysed_rounds) enqueues it later.
    transaction.on_commit(lambda: later.round_analyse(round_id), robust=True)
