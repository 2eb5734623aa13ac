"""Answering a round, the busiest write, in two versions that must agree
(tests/checkin/test_answering_versions.py holds them to the same outcomes over random sequences of
answers, edits, the partner's answers, windows closing and couples ending):

- `answer_plainly`, the reference, on any database (SQLite runs it): the ORM locks the round of
  the caller's couple with the UPDATE that moves its version on, refuses a closed one, then
  creates or edits the caller's answer; the second answer reveals the round.
- `answer_in_one_statement`, what PostgreSQL runs: one written-out statement locks the round,
  moves its version on and edits the caller's answer when the round is answerable and they have
  one, and says what it found. An edit is then done; a first answer goes on as the reference does
  from the lock on, so no answer runs a statement for nothing.

Both hold the round row locked until they commit, so both partners pressing submit at the same
instant take turns: the second counts the first's committed answer and is the one that reveals.
"""

from datetime import datetime

from django.db import connection, transaction

from checkin import later, subjects
from checkin.errors import NoSuchRound, RoundClosed
from checkin.models import Answer, Round
from checkin.round_changes import VERSION_MOVES_ON, rounds_change
from couples.models import User
from couples.selectors import CURRENT_COUPLE_SQL, current_couple_ids, current_member_ids
from notifications.models import Notification
from notifications.services import notify

# What an answer's body sets: connection, independence, note, private_note.
BODY_FIELDS = ("connection", "independence", "note", "private_note")


def answer(*, user: User, round_id: int, body: dict, now: datetime) -> Answer:
    """Record or edit `user`'s answer to a round of their current couple (checkin.services
    .answer_submit is the service that calls this)."""
    if connection.vendor == "postgresql":
        return answer_in_one_statement(user=user, round_id=round_id, body=body, now=now)
    return answer_plainly(user=user, round_id=round_id, body=body, now=now)


@transaction.atomic
def answer_plainly(*, user: User, round_id: int, body: dict, now: datetime) -> Answer:
    # Scoped to the user's couple, the round is locked (an UPDATE locks as SELECT ... FOR UPDATE
    # does) and its version moves on: whatever follows changes its views. A refused answer
    # raises, and the transaction takes the version back.
    if not rounds_change(Round.objects.filter(pk=round_id, couple_id__in=current_couple_ids(user=user))):
        raise NoSuchRound()
    checkin_round = Round.objects.get(pk=round_id)
    _refuse_closed(status=checkin_round.status, closes_at=checkin_round.closes_at, now=now)
    return _created_or_edited(round_id=round_id, couple_id=checkin_round.couple_id, user=user, body=body, now=now)


# The ORM spent longer building the locking read than the database spent running it
# (bench/RESULTS.md), so on PostgreSQL it is written out. The round's conditions are checked on the
# locked row (RETURNING gives the newest one once the lock is granted): an edit that waited for the
# partner's revealing answer finds the round revealed and edits nothing.
_ANSWER_FIELDS = Answer._meta.concrete_fields
_ANSWER_COLUMNS = ", ".join(str(field.column) for field in _ANSWER_FIELDS)
_LOCKED_AND_EDITED = f"""
    WITH locked AS (
        UPDATE {Round._meta.db_table} SET {VERSION_MOVES_ON}
        WHERE id = %(round_id)s AND couple_id IN ({CURRENT_COUPLE_SQL})
        RETURNING id, couple_id, status, closes_at
    ), edited AS (
        UPDATE {Answer._meta.db_table}
        SET connection = %(connection)s, independence = %(independence)s, note = %(note)s,
            private_note = %(private_note)s, updated_at = %(now)s
        WHERE round_id IN (SELECT id FROM locked WHERE status = %(open)s AND closes_at > %(now)s)
            AND user_id = %(user_id)s
        RETURNING {_ANSWER_COLUMNS}
    )
    SELECT locked.couple_id, locked.status, locked.closes_at, edited.* FROM locked LEFT JOIN edited ON TRUE
""".strip()


@transaction.atomic
def answer_in_one_statement(*, user: User, round_id: int, body: dict, now: datetime) -> Answer:
    params = {**body, "round_id": round_id, "user_id": user.pk, "now": now, "open": Round.Status.OPEN}
    with connection.cursor() as cursor:
        cursor.execute(_LOCKED_AND_EDITED, params)
        row = cursor.fetchone()
    if row is None:
        raise NoSuchRound()
    couple_id, status, closes_at, *edited = row
    if edited[0] is not None:
        # psycopg returns every column as the model's field holds it (timestamptz as aware datetimes).
        return Answer.from_db(connection.alias, [field.attname for field in _ANSWER_FIELDS], edited)
    _refuse_closed(status=status, closes_at=closes_at, now=now)
    # A first answer; or one the statement's snapshot, taken before the lock was granted, missed
    # (the same person's other request, a second tab, answered meanwhile), which this then finds.
    return _created_or_edited(round_id=round_id, couple_id=couple_id, user=user, body=body, now=now)


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
