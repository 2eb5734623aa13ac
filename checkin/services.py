"""Every change to rounds and answers: opening, answering, revealing, nudging, closing."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from checkin import later, rules, subjects, wording
from checkin.errors import CoupleEnded, NoSuchRound, RoundAlreadyOpen, RoundClosed
from checkin.models import Answer, Discussion, DiscussionNote, Flag, Round, SchedulerHeartbeat
from checkin.round_changes import rounds_expire
from couples import live
from couples.models import Couple, Schedule, User
from couples.selectors import current_member_ids, current_members_of, member_couple_ids
from couples.services import couple_lock_current
from foundation import metrics
from foundation.errors import Conflict
from notifications.models import Notification
from notifications.services import notifications_read_about, notify, notify_each
from signals.selectors import people_in_space

log = logging.getLogger(__name__)

# The one nudge of a round comes when half its window has passed: late enough that it is not
# pressure, early enough to leave time to answer.
NUDGE_AFTER_FRACTION = 0.5


def round_unsaved(*, schedule: Schedule, now: datetime, scheduled_for: datetime | None = None) -> Round:
    """A round of the schedule's couple opening `now`, its window counted from the occurrence."""
    closes_at = (scheduled_for or now) + timedelta(hours=schedule.window_hours)
    return Round(
        couple_id=schedule.couple_id,
        scheduled_for=scheduled_for,
        opens_at=now,
        closes_at=closes_at,
        nudge_at=now + (closes_at - now) * NUDGE_AFTER_FRACTION,
    )


def rounds_open(*, rounds: list[Round], opened_by: User | None = None) -> list[Round]:
    """Save new rounds and tell both partners of each, but not `opened_by`, who opened it and
    knows. The caller holds a transaction.

    Raises IntegrityError when a couple has an open round or an occurrence was opened already.
    """
    if not rounds:
        return []
    created = Round.objects.bulk_create(rounds)
    metrics.count_after_commit(metrics.ROUNDS_OPENED, len(created))
    if opened_by is not None:  # the partners hear of it below (notify); the opener's other devices here
        live.people_changed(user_ids=[opened_by.pk], topics=[live.Topic.ROUND])
    round_of_couple = {r.couple_id: r.pk for r in created}
    partners = current_members_of(couple_ids=list(round_of_couple), but=opened_by)
    notify_each(
        kind=Notification.Kind.ROUND_OPENED,
        recipients=[(user_id, subjects.of_round(round_of_couple[couple_id])) for couple_id, user_id in partners],
    )
    return created


def round_open(
    *,
    couple: Couple,
    window_hours: int,
    now: datetime,
    scheduled_for: datetime | None = None,
    opened_by: User | None = None,
) -> Round:
    """Open one round for `couple` now and tell the partners (but `opened_by`). The caller holds a transaction."""
    schedule = Schedule(couple=couple, window_hours=window_hours)
    unsaved = round_unsaved(schedule=schedule, now=now, scheduled_for=scheduled_for)
    return rounds_open(rounds=[unsaved], opened_by=opened_by)[0]


@transaction.atomic
def round_open_now(*, user: User) -> Round:
    """'Check in now': a round outside the schedule, with the schedule's window. The partner is
    told that it opened; `user`, who opened it, is not."""
    couple = couple_lock_current(user=user)
    if couple is None:
        raise Conflict("You are not paired yet, so there is no one to check in with.")
    now = timezone.now()
    # A round whose window has ended reads as expired already (round_changes.status_at), so the
    # app offers "check in now": expire it here rather than refuse until the tick comes round.
    rounds_expire(Round.objects.filter(couple=couple, closes_at__lte=now), now=now)
    if Round.objects.filter(couple=couple, status=Round.Status.OPEN).exists():
        raise RoundAlreadyOpen()
    try:
        with transaction.atomic():
            return round_open(couple=couple, window_hours=couple.schedule.window_hours, now=now, opened_by=user)
    except IntegrityError:
        raise RoundAlreadyOpen() from None


@transaction.atomic
def answer_submit(
    *,
    user: User,
    round_id: int,
    connection: int,
    independence: int,
    note: str = "",
    private_note: str = "",
    made_at: datetime | None = None,
    now: datetime | None = None,
) -> Answer:
    """Record or edit `user`'s answer to a round of a couple they are or were in; the second
    answer reveals the round, exactly once. Of two edits the one made later on its device
    (`made_at`, none: as received) is kept, and the answer kept is returned. Raises NoSuchRound
    for any other round, RoundClosed for one that is no longer answerable.

    The round row stays locked until commit, so both partners pressing submit at the same instant
    take turns: the second counts the first's committed answer and is the one that reveals. One
    person's two edits (two tabs, two devices back online) take turns the same way.
    """
    now = now or timezone.now()
    # Scoped to the user's couples (as reads are: a couple that ended too, whose rounds are all
    # closed, so that its round is refused as closed, not as missing), the round is locked until
    # commit (on SQLite, the IMMEDIATE transaction holds the whole database): what follows reads
    # the answers it holds still.
    locked = Round.objects.select_for_update().filter(pk=round_id, couple_id__in=member_couple_ids(user=user))
    checkin_round = locked.first()
    if checkin_round is None:
        raise NoSuchRound()
    counted = made_at_counted(made_at=made_at, opens_at=checkin_round.opens_at, now=now)
    if not (checkin_round.status == Round.Status.OPEN and checkin_round.closes_at > now):
        # An edit made before the answer kept changes nothing, closed round or not, and is answered
        # with the answer that stays: a later edit from another tab may have revealed the round.
        kept = Answer.objects.filter(round_id=round_id, user=user, made_at__gt=counted).first()
        if kept is None:
            raise RoundClosed()
        return kept
    fields = {"connection": connection, "independence": independence, "note": note, "private_note": private_note}
    answer, created = Answer.objects.get_or_create(
        round_id=round_id, user=user, defaults={**fields, "made_at": counted, "submitted_at": now, "updated_at": now}
    )
    if not created:
        if counted < answer.made_at:
            # Made before the recorded answer was: the answer stays as it is.
            return answer
        for field, value in {**fields, "made_at": counted, "updated_at": now}.items():
            setattr(answer, field, value)
        answer.save(update_fields=[*fields, "made_at", "updated_at"])
    # The partner's screen shows that this person answered (and then the reveal).
    live.couple_changed(couple_ids=[checkin_round.couple_id], topics=[live.Topic.ROUND])
    if created and Answer.objects.filter(round_id=round_id).count() == 2:
        _round_reveal(round_id=round_id, couple_id=checkin_round.couple_id, now=now)
    return answer


def made_at_counted(*, made_at: datetime | None, opens_at: datetime, now: datetime) -> datetime:
    """When an edit counts as made: when its device says, but never after the server's `now` (a
    clock ahead would otherwise pin its answer against every later edit until the round closes)
    nor before the round opened (a clock behind, or a made_at from long ago, counts as the oldest
    edit rather than being refused: the answer is the person's, only the clock is off). No made_at
    (an older app, another client) counts as made when the server receives it."""
    if made_at is None:
        return now
    return min(max(made_at, opens_at), now)


def _round_reveal(*, round_id: int, couple_id: int, now: datetime) -> None:
    Round.objects.filter(pk=round_id).update(status=Round.Status.REVEALED, revealed_at=now, closed_at=now)
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


def round_close(*, round_id: int, now: datetime) -> bool:
    """Close an open round whose window has ended: it expires, as fewer than two answered.

    A conditional update, so two ticks closing the same round close it once.
    """
    return bool(rounds_expire(Round.objects.filter(pk=round_id, closes_at__lte=now), now=now))


def couple_rounds_close(*, couple_id: int, now: datetime) -> None:
    """Its couple has ended: its open round expires at once. The caller holds a transaction."""
    rounds_expire(Round.objects.filter(couple_id=couple_id), now=now)


def answers_take_away(*, user: User, couple_id: int) -> None:
    """The user leaves the couple taking their answers along: their answers (with both notes),
    the flags about them and the discussion notes they wrote in it go; the couple's rounds now show
    their side as removed. The caller holds a transaction and records the removal on the membership
    (couples.services.couple_end), which the round views read."""
    Answer.objects.filter(round__couple_id=couple_id, user=user).delete()
    Flag.objects.filter(round__couple_id=couple_id, about_user=user).delete()
    DiscussionNote.objects.filter(discussion__couple_id=couple_id, author=user).delete()


@transaction.atomic
def round_nudge(*, round_id: int, now: datetime) -> list[int]:
    """The one nudge of a round, to the partners who have not answered and are not taking some
    space (a live `space` signal: they answer when they are ready). Claimed with a conditional
    update, so a second tick (or a retry) never nudges again."""
    claimed = Round.objects.filter(pk=round_id, status=Round.Status.OPEN, nudged_at__isnull=True).update(nudged_at=now)
    if not claimed:
        return []
    checkin_round = Round.objects.get(pk=round_id)
    answered = set(Answer.objects.filter(round_id=round_id).values_list("user_id", flat=True))
    waiting = [user_id for user_id in current_member_ids(couple_id=checkin_round.couple_id) if user_id not in answered]
    in_space = people_in_space(user_ids=waiting, now=now)
    waiting = [user_id for user_id in waiting if user_id not in in_space]
    notify(user_ids=waiting, kind=Notification.Kind.NUDGE, subject=subjects.of_round(round_id))
    return waiting


def heartbeat_record(*, name: str, at: datetime) -> None:
    SchedulerHeartbeat.objects.update_or_create(name=name, defaults={"completed_at": at})


# Analysis and discussions


def round_analysis_hand_off(*, round_id: int, handoffs: int, now: datetime) -> bool:
    """Claim the next hand-off of a round's analysis to the workers, the sweep having seen
    `handoffs` so far: a conditional update, so two ticks never queue it twice. The caller queues
    it when this returns True."""
    return bool(
        Round.objects.filter(
            pk=round_id, analysed_at__isnull=True, analysis_given_up_at__isnull=True, analysis_handoffs=handoffs
        ).update(analysis_handoffs=handoffs + 1, analysis_handed_off_at=now)
    )


def round_analysis_give_up(*, round_id: int, handoffs: int, now: datetime) -> bool:
    """Record that a round's analysis is given up after `handoffs` hand-offs by the sweep (it
    failed every time, or never ran), for the operator: the admin shows it and this logs an ERROR,
    once (a conditional update). The round keeps showing no flags."""
    given_up = Round.objects.filter(
        pk=round_id, analysed_at__isnull=True, analysis_given_up_at__isnull=True, analysis_handoffs=handoffs
    ).update(analysis_given_up_at=now)
    if given_up:
        log.error(
            "round %s: its analysis did not complete after %s attempts and is given up; the worker's log has "
            "each failure",
            round_id,
            handoffs + 1,
        )
    return bool(given_up)


def _ratings(answer: Answer) -> rules.Ratings:
    return rules.Ratings(connection=answer.connection, independence=answer.independence)


@transaction.atomic
def round_analyse(*, round_id: int) -> list[Flag]:
    """Flag what a revealed round shows, opening or extending discussions. Runs once per round:
    the round row is locked and marked analysed, and the flags' unique constraints back that up."""
    checkin_round = Round.objects.select_for_update().filter(pk=round_id).select_related("couple").first()
    if checkin_round is None or checkin_round.status != Round.Status.REVEALED or checkin_round.analysed_at:
        return []
    answers = sorted(Answer.objects.filter(round=checkin_round).select_related("user"), key=lambda r: r.user_id)
    now = timezone.now()
    # Its flags are about to be added, in this transaction.
    Round.objects.filter(pk=round_id).update(analysed_at=now)
    live.couple_changed(couple_ids=[checkin_round.couple_id], topics=[live.Topic.ROUND, live.Topic.TALKS])
    if len(answers) != 2:
        return []  # a partner deleted their account since the reveal

    earlier = (
        Round.objects.filter(
            couple_id=checkin_round.couple_id, status=Round.Status.REVEALED, revealed_at__lt=checkin_round.revealed_at
        )
        .order_by("-revealed_at")
        .values_list("pk", flat=True)[: rules.PERSISTENT_ROUNDS - 1]
    )
    history: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(round_id__in=list(earlier)):
        history.setdefault(answer.user_id, {})[answer.round_id] = answer
    earlier_ids = list(earlier)

    def partner(answer: Answer) -> rules.Partner:
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
    # Most important first (rules.IMPORTANCE): the first leads the round's one discussion, and
    # every flag of the round is a point of it.
    findings = rules.find(partner(a), partner(b))
    if not findings:
        return []
    summaries = [wording.summary(finding, names) for finding in findings]
    discussion = _discussion_for(checkin_round=checkin_round, kind=findings[0].kind, summary=summaries[0], now=now)
    return [
        Flag.objects.create(
            round=checkin_round,
            kind=finding.kind,
            dimension=finding.dimension or "",
            about_user=sides[finding.about] if finding.about else None,
            summary=summary,
            discussion=discussion,
        )
        for finding, summary in zip(findings, summaries, strict=True)
    ]


def _discussion_for(*, checkin_round: Round, kind: str, summary: str, now: datetime) -> Discussion:
    """The round's one discussion, led by `kind`: the couple's open discussion led by that kind,
    which the round adds to (it is the same conversation coming up again), or a new one.

    Nobody is notified: the reveal's own message (results_ready) was the one message of this
    check-in, and the reveal screen shows what is worth talking about once the analysis is in.
    """
    discussion = Discussion.objects.filter(
        couple_id=checkin_round.couple_id, kind=kind, status=Discussion.Status.OPEN
    ).first()
    if discussion is not None:
        discussion.summary = summary
        discussion.updated_at = now
        discussion.save(update_fields=["summary", "updated_at"])
        return discussion
    return Discussion.objects.create(
        couple_id=checkin_round.couple_id,
        kind=kind,
        summary=summary,
        prompt=wording.prompt(kind, variant=checkin_round.pk),
        checkin=checkin_round,
        created_at=now,
        updated_at=now,
    )


def round_seen(*, user: User, round_id: int) -> None:
    """`user` has seen the check-in: what their inbox says about it (that it opened, the nudge,
    that both answered) is read. Call it with a round of their couple."""
    notifications_read_about(user=user, subjects=[subjects.of_round(round_id)])


def discussion_seen(*, user: User, discussion: Discussion) -> None:
    """`user` has seen the discussion: what their inbox says about it is read."""
    notifications_read_about(user=user, subjects=[subjects.of_discussion(discussion.pk)])


def _refuse_ended(*, couple_id: int) -> None:
    # The couple's row lock is the one leaving takes (couples.services.couple_lock_current): a
    # change racing a partner's leaving comes before it, or after it and is refused.
    if not Couple.objects.select_for_update().filter(pk=couple_id, ended_at__isnull=True).exists():
        raise CoupleEnded()


@transaction.atomic
def discussion_note_add(*, user: User, discussion: Discussion, text: str) -> DiscussionNote:
    """A note on a discussion of the user's current couple; CoupleEnded for one that ended."""
    _refuse_ended(couple_id=discussion.couple_id)
    live.couple_changed(couple_ids=[discussion.couple_id], topics=[live.Topic.TALKS])
    return DiscussionNote.objects.create(discussion=discussion, author=user, text=text)


@transaction.atomic
def discussion_resolve(*, discussion: Discussion) -> Discussion:
    """Mark it talked through. Resolving twice is harmless; a later mismatch opens a new one. A
    discussion of a couple that ended is read-only (CoupleEnded)."""
    _refuse_ended(couple_id=discussion.couple_id)
    locked = Discussion.objects.select_for_update().get(pk=discussion.pk)
    if locked.status == Discussion.Status.OPEN:
        now = timezone.now()
        locked.status, locked.resolved_at, locked.updated_at = Discussion.Status.RESOLVED, now, now
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
        live.couple_changed(couple_ids=[discussion.couple_id], topics=[live.Topic.TALKS])
    return locked
