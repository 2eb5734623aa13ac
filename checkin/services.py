"""Every change to rounds and responses: opening, answering, revealing, nudging, closing."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from checkin import rules, wording
from checkin.models import Discussion, DiscussionNote, Flag, Round, SchedulerHeartbeat
from checkin.models import Response as CheckinResponse
from config.exceptions import Conflict
from couples.models import Couple, Membership, Schedule, User
from notifications.models import Notification
from notifications.services import notify, notify_each

log = logging.getLogger(__name__)

# The one nudge of a round comes when half its window has passed: late enough that it is not
# pressure, early enough to leave time to answer.
NUDGE_AFTER_FRACTION = 0.5


class RoundAlreadyOpen(Conflict):
    default_detail = "A check-in is already open. Answer it first."
    default_code = "round_open"


class RoundClosed(Conflict):
    default_detail = "This check-in is closed: it was revealed or its window has ended."
    default_code = "round_closed"


def _member_ids(couple_id: int) -> list[int]:
    return list(Membership.objects.filter(couple_id=couple_id, left_at__isnull=True).values_list("user_id", flat=True))


def round_unsaved(*, schedule, now: datetime, scheduled_for: datetime | None = None) -> Round:
    """A round of the schedule's couple opening `now`, its window counted from the occurrence."""
    closes_at = (scheduled_for or now) + timedelta(hours=schedule.window_hours)
    return Round(
        couple_id=schedule.couple_id,
        scheduled_for=scheduled_for,
        opens_at=now,
        closes_at=closes_at,
        nudge_at=now + (closes_at - now) * NUDGE_AFTER_FRACTION,
    )


def rounds_open(*, rounds: list[Round]) -> list[Round]:
    """Save new rounds and tell both partners of each. The caller holds a transaction.

    Raises IntegrityError when a couple has an open round or an occurrence was opened already.
    """
    if not rounds:
        return []
    created = Round.objects.bulk_create(rounds)
    members = Membership.objects.filter(couple_id__in=[r.couple_id for r in created], left_at__isnull=True)
    round_of_couple = {r.couple_id: r.pk for r in created}
    notify_each(
        kind=Notification.Kind.ROUND_OPENED,
        recipients=[
            (user_id, f"round:{round_of_couple[couple_id]}")
            for couple_id, user_id in members.values_list("couple_id", "user_id")
        ],
    )
    return created


def round_open(*, couple: Couple, window_hours: int, now: datetime, scheduled_for: datetime | None = None) -> Round:
    """Open one round for `couple` now and tell both partners. The caller holds a transaction."""
    schedule = Schedule(couple=couple, window_hours=window_hours)
    return rounds_open(rounds=[round_unsaved(schedule=schedule, now=now, scheduled_for=scheduled_for)])[0]


@transaction.atomic
def round_open_now(*, user: User) -> Round:
    """'Check in now': a round outside the schedule, with the schedule's window."""
    membership = Membership.objects.filter(user=user, left_at__isnull=True).select_related("couple__schedule").first()
    if membership is None:
        raise Conflict("You are not paired yet, so there is no one to check in with.")
    couple = Couple.objects.select_for_update().get(pk=membership.couple_id)
    if Round.objects.filter(couple=couple, status=Round.Status.OPEN).exists():
        raise RoundAlreadyOpen()
    try:
        with transaction.atomic():
            return round_open(couple=couple, window_hours=membership.couple.schedule.window_hours, now=timezone.now())
    except IntegrityError:
        raise RoundAlreadyOpen() from None


# Answering is the busiest write, and the ORM spent longer building its locking read than the
# database spent running it (bench/RESULTS.md), so its statements are written out. The general
# path's two go through Model.objects.raw, which converts the columns as the ORM does on every
# database.
#
# The pieces both ways of answering share: the caller's current couple, the caller's answer to
# the round, and what an edit changes.
_CALLERS_COUPLE = f"SELECT couple_id FROM {Membership._meta.db_table} WHERE user_id = %(user_id)s AND left_at IS NULL"
_CALLERS_ANSWER = f"FROM {CheckinResponse._meta.db_table} WHERE round_id = %(round_id)s AND user_id = %(user_id)s"
_ANSWER_CHANGES = """connection = %(connection)s, independence = %(independence)s, note = %(note)s,
        private_note = %(private_note)s, updated_at = %(now)s"""
_ROUND_LOCKED_FOR_ANSWER = f"""
    UPDATE {Round._meta.db_table} SET version = version + 1
    WHERE id = %(round_id)s AND couple_id IN ({_CALLERS_COUPLE})
    RETURNING *, (SELECT id {_CALLERS_ANSWER}) AS my_answer_id
""".strip()
_ANSWER_EDITED = f"""
    UPDATE {CheckinResponse._meta.db_table}
    SET {_ANSWER_CHANGES}
    WHERE id = %(answer_id)s
    RETURNING *
""".strip()


# Editing an answer, the commonest answer of all, as one statement on PostgreSQL: a data-modifying
# CTE locks the round and moves its version on (as _ROUND_LOCKED_FOR_ANSWER does), then edits the
# answer, and runs in autocommit, so the edit costs one round trip to the database instead of four
# (BEGIN, the two statements, COMMIT). It edits only an answer that exists, of an answerable round
# of the caller's couple; anything else changes nothing and takes the general path, which decides.
# The round's conditions are in the locking UPDATE's WHERE, which PostgreSQL checks again on the
# newest row once the lock is granted: an edit that waited for a partner's revealing answer finds
# the round revealed and edits nothing.
_ANSWER_FIELDS = CheckinResponse._meta.concrete_fields
_ANSWER_COLUMNS = ", ".join(field.column for field in _ANSWER_FIELDS if field.column)
_ANSWER_EDITED_IN_ONE_STATEMENT = f"""
    WITH locked AS (
        UPDATE {Round._meta.db_table} SET version = version + 1
        WHERE id = %(round_id)s AND status = %(open)s AND closes_at > %(now)s
            AND couple_id IN ({_CALLERS_COUPLE}) AND EXISTS (SELECT 1 {_CALLERS_ANSWER})
        RETURNING id
    )
    UPDATE {CheckinResponse._meta.db_table}
    SET {_ANSWER_CHANGES}
    WHERE round_id IN (SELECT id FROM locked) AND user_id = %(user_id)s
    RETURNING {_ANSWER_COLUMNS}
""".strip()


def _answer_edited_in_one_statement(*, user: User, round_id: int, now: datetime, **ratings) -> CheckinResponse | None:
    """The edited answer, or None when nothing was edited (PostgreSQL only)."""
    params = {**ratings, "round_id": round_id, "user_id": user.pk, "now": now, "open": Round.Status.OPEN}
    with db_connection.cursor() as cursor:
        cursor.execute(_ANSWER_EDITED_IN_ONE_STATEMENT, params)
        row = cursor.fetchone()
    # psycopg returns every column as the model's field holds it (timestamptz as aware datetimes).
    if row is None:
        return None
    return CheckinResponse.from_db(db_connection.alias, [field.attname for field in _ANSWER_FIELDS], row)


def response_submit(
    *,
    user: User,
    round_id: int,
    connection: int,
    independence: int,
    note: str = "",
    private_note: str = "",
    now: datetime | None = None,
) -> CheckinResponse:
    """Record or edit `user`'s answer to a round of their current couple; the second answer
    reveals the round, exactly once. Raises Round.DoesNotExist for any other round.

    Both partners pressing submit at the same instant: the round row is locked, so the second
    waits, then counts the first's committed answer and is the one that reveals.
    """
    ratings = {"connection": connection, "independence": independence, "note": note, "private_note": private_note}
    if db_connection.vendor == "postgresql":
        edited = _answer_edited_in_one_statement(user=user, round_id=round_id, now=now or timezone.now(), **ratings)
        if edited is not None:
            return edited
    return _response_submit_locked(user=user, round_id=round_id, now=now, **ratings)


@transaction.atomic
def _response_submit_locked(*, user: User, round_id: int, now: datetime | None, **ratings) -> CheckinResponse:
    # Scoped to the user's couple, the round is locked (an UPDATE locks as SELECT ... FOR UPDATE
    # does) and its version moves on: whatever follows changes its views. A refused answer
    # raises, and the transaction takes the version back.
    checkin_round = next(
        iter(Round.objects.raw(_ROUND_LOCKED_FOR_ANSWER, {"round_id": round_id, "user_id": user.pk})), None
    )
    if checkin_round is None:
        raise Round.DoesNotExist
    now = now or timezone.now()
    if checkin_round.status != Round.Status.OPEN or checkin_round.closes_at <= now:
        raise RoundClosed()
    # An answer that existed when the lock was asked for is still there (only deleting the
    # account removes one, and then the UPDATE finds no row and the path below decides).
    my_answer_id: int | None = checkin_round.my_answer_id  # type: ignore[attr-defined]  # a column of the raw query
    if my_answer_id is not None:
        edit = {**ratings, "now": now, "answer_id": my_answer_id}
        edited = CheckinResponse.objects.raw(_ANSWER_EDITED, edit)
        if answer := next(iter(edited), None):
            return answer
    # The subquery read the snapshot taken before the lock was granted: the same person's other
    # request (a second tab) may have answered meanwhile, so this still reads before it creates.
    answer, created = CheckinResponse.objects.get_or_create(
        round=checkin_round, user=user, defaults={**ratings, "submitted_at": now, "updated_at": now}
    )
    if not created:
        for field, value in {**ratings, "updated_at": now}.items():
            setattr(answer, field, value)
        answer.save(update_fields=[*ratings, "updated_at"])
    elif CheckinResponse.objects.filter(round=checkin_round).count() == 2:
        _round_reveal(checkin_round=checkin_round, now=now)
    return answer


def _round_reveal(*, checkin_round: Round, now: datetime) -> None:
    checkin_round.status = Round.Status.REVEALED
    checkin_round.revealed_at = now
    checkin_round.closed_at = now
    checkin_round.save(update_fields=["status", "revealed_at", "closed_at"])
    notify(
        user_ids=_member_ids(checkin_round.couple_id),
        kind=Notification.Kind.RESULTS_READY,
        subject=f"round:{checkin_round.pk}",
        data={"round_id": checkin_round.pk},
    )
    # The analysis runs after commit. `robust`: with the broker down the answer still succeeds,
    # and the tick's sweep of unanalysed rounds (scheduler.sweep_unanalysed_rounds) enqueues it later.
    from checkin import tasks

    transaction.on_commit(lambda: tasks.round_analyse.delay(checkin_round.pk), robust=True)


def round_close(*, round_id: int, now: datetime) -> bool:
    """Close an open round whose window has ended: it expires, as fewer than two answered.

    A conditional update, so two ticks closing the same round close it once.
    """
    return bool(
        Round.objects.filter(pk=round_id, status=Round.Status.OPEN, closes_at__lte=now).update(
            status=Round.Status.EXPIRED, closed_at=now, version=F("version") + 1
        )
    )


@transaction.atomic
def round_nudge(*, round_id: int, now: datetime) -> list[int]:
    """The one nudge of a round, to the partners who have not answered. Claimed with a
    conditional update, so a second tick (or a retry) never nudges again."""
    claimed = Round.objects.filter(pk=round_id, status=Round.Status.OPEN, nudged_at__isnull=True).update(nudged_at=now)
    if not claimed:
        return []
    checkin_round = Round.objects.get(pk=round_id)
    answered = set(CheckinResponse.objects.filter(round_id=round_id).values_list("user_id", flat=True))
    waiting = [user_id for user_id in _member_ids(checkin_round.couple_id) if user_id not in answered]
    notify(user_ids=waiting, kind=Notification.Kind.NUDGE, subject=f"round:{round_id}")
    return waiting


def heartbeat_record(*, name: str, at: datetime) -> None:
    SchedulerHeartbeat.objects.update_or_create(name=name, defaults={"completed_at": at})


# Analysis and discussions


def _ratings(answer: CheckinResponse) -> rules.Ratings:
    return rules.Ratings(connection=answer.connection, independence=answer.independence)


@transaction.atomic
def round_analyse(*, round_id: int) -> list[Flag]:
    """Flag what a revealed round shows, opening or extending discussions. Runs once per round:
    the round row is locked and marked analysed, and the flags' unique constraints back that up."""
    checkin_round = Round.objects.select_for_update().filter(pk=round_id).select_related("couple").first()
    if checkin_round is None or checkin_round.status != Round.Status.REVEALED or checkin_round.analysed_at:
        return []
    answers = sorted(
        CheckinResponse.objects.filter(round=checkin_round).select_related("user"), key=lambda r: r.user_id
    )
    now = timezone.now()
    checkin_round.analysed_at = now
    # Its flags are about to be added, in this transaction.
    checkin_round.version = F("version") + 1
    checkin_round.save(update_fields=["analysed_at", "version"])
    if len(answers) != 2:
        return []  # a partner deleted their account since the reveal

    earlier = (
        Round.objects.filter(
            couple_id=checkin_round.couple_id, status=Round.Status.REVEALED, revealed_at__lt=checkin_round.revealed_at
        )
        .order_by("-revealed_at")
        .values_list("pk", flat=True)[: rules.PERSISTENT_ROUNDS - 1]
    )
    history: dict[int, dict[int, CheckinResponse]] = {}
    for answer in CheckinResponse.objects.filter(round_id__in=list(earlier)):
        history.setdefault(answer.user_id, {})[answer.round_id] = answer
    earlier_ids = list(earlier)

    def partner(answer: CheckinResponse) -> rules.Partner:
        # Earlier rounds in a row: stop at the first one this person has no answer in.
        before = []
        for pk in earlier_ids:
            if pk not in history.get(answer.user_id, {}):
                break
            before.append(_ratings(history[answer.user_id][pk]))
        return rules.Partner(now=_ratings(answer), before=before)

    a, b = answers
    sides = {"a": a.user, "b": b.user}
    names = {side: user.display_name for side, user in sides.items()}
    flags = []
    for finding in rules.find(partner(a), partner(b)):
        summary = wording.summary(finding, names)
        discussion = _discussion_for(checkin_round=checkin_round, kind=finding.kind, summary=summary, now=now)
        flags.append(
            Flag.objects.create(
                round=checkin_round,
                kind=finding.kind,
                dimension=finding.dimension or "",
                about_user=sides[finding.about] if finding.about else None,
                summary=summary,
                discussion=discussion,
            )
        )
    return flags


def _discussion_for(*, checkin_round: Round, kind: str, summary: str, now: datetime) -> Discussion:
    """The couple's open discussion of `kind`, extended; or a new one, which both are told about."""
    discussion = Discussion.objects.filter(
        couple_id=checkin_round.couple_id, kind=kind, status=Discussion.Status.OPEN
    ).first()
    if discussion is not None:
        discussion.summary = summary
        discussion.updated_at = now
        discussion.save(update_fields=["summary", "updated_at"])
        return discussion
    discussion = Discussion.objects.create(
        couple_id=checkin_round.couple_id,
        kind=kind,
        summary=summary,
        prompt=wording.prompt(kind, variant=checkin_round.pk),
        checkin=checkin_round,
        created_at=now,
        updated_at=now,
    )
    notify(
        user_ids=_member_ids(checkin_round.couple_id),
        kind=Notification.Kind.DISCUSSION_OPENED,
        subject=f"discussion:{discussion.pk}",
        data={"discussion_id": discussion.pk, "round_id": checkin_round.pk},
    )
    return discussion


@transaction.atomic
def discussion_note_add(*, user: User, discussion: Discussion, text: str) -> DiscussionNote:
    return DiscussionNote.objects.create(discussion=discussion, author=user, text=text)


@transaction.atomic
def discussion_resolve(*, discussion: Discussion) -> Discussion:
    """Mark it talked through. Resolving twice is harmless; a later mismatch opens a new one."""
    locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
    if locked.status == Discussion.Status.OPEN:
        now = timezone.now()
        locked.status, locked.resolved_at, locked.updated_at = Discussion.Status.RESOLVED, now, now
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
    return locked
