"""Reads of rounds and discussions, scoped to the couples the reader is or was in, with the
hide-until-reveal rule.

A person reads the check-ins and talks of every couple they were a member of, those of a couple
that ended too (read-only: nothing of an ended couple is open to change); anyone else's look
missing. `_scoped` (rounds) and `discussions_of` are that rule. Only the current round is the
current couple's alone.

`round_view` is the only place that decides what of a round a person may see: every endpoint
(current, history, detail, trends) goes through it or through `trends`, which reads only
revealed rounds. These return data (records); RoundSerializer shapes it for the API.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from checkin import rules, subjects
from checkin.models import Answer, Discussion, DiscussionNote, Round
from checkin.patterns import PATTERNS, pattern_of
from checkin.round_changes import status_at
from couples.models import Membership, User
from couples.selectors import current_couple_ids, member_couple_ids
from notifications.models import Notification
from signals.selectors import people_in_space

log = logging.getLogger(__name__)


_ROUND_FIELDS = ("id", "couple_id", "status", "opens_at", "closes_at", "revealed_at", "analysed_at")
_ANSWER_FIELDS = ("connection", "independence", "note", "private_note", "submitted_at", "updated_at", "made_at")
_FLAG_FIELDS = ("kind", "dimension", "summary", "discussion_id")


@dataclass(frozen=True)
class OwnAnswer:
    """An answer as its author sees it."""

    connection: int
    independence: int
    note: str
    private_note: str
    submitted_at: datetime
    updated_at: datetime
    made_at: datetime


@dataclass(frozen=True)
class SharedAnswer:
    """An answer as the partner sees it after the reveal: never the private note, nor when it was
    made on its author's device (a detail of their evening, not of the check-in)."""

    connection: int
    independence: int
    note: str
    submitted_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, answer: OwnAnswer) -> "SharedAnswer":
        return cls(
            connection=answer.connection,
            independence=answer.independence,
            note=answer.note,
            submitted_at=answer.submitted_at,
            updated_at=answer.updated_at,
        )


@dataclass(frozen=True)
class Side:
    """One person's side of a round as the viewer may see it. `removed`: they answered but took
    their answers along when they left the couple."""

    answered: bool
    answer: OwnAnswer | SharedAnswer | None
    removed: bool
    display_name: str | None = None  # the partner's (none once their account is deleted)


@dataclass(frozen=True)
class ShownFlag:
    kind: str
    dimension: str | None
    summary: str
    discussion_id: int | None


@dataclass(frozen=True)
class Patterns:
    me: str
    partner: str


@dataclass(frozen=True)
class RoundView:
    """A round as one person may see it at one instant (`round_view`)."""

    id: int
    couple_id: int
    status: str
    opens_at: datetime
    closes_at: datetime
    revealed_at: datetime | None
    analysed_at: datetime | None
    me: Side
    partner: Side
    patterns: Patterns | None
    flags: list[ShownFlag]


@dataclass
class _Folded:
    """A round as `_folded` reads it: its fields, what it shows of its couple's people, and its
    answers (by author) and flags (by id)."""

    fields: dict
    answers: dict[int, OwnAnswer] = field(default_factory=dict)
    flags: dict[int, dict] = field(default_factory=dict)


def _scoped(user: User) -> QuerySet[Round]:
    """The rounds of every couple `user` is or was in: theirs to read, never to change once the
    couple has ended (its rounds are closed then, and answering refuses a closed round)."""
    return Round.objects.filter(couple_id__in=member_couple_ids(user=user))


def current_round(*, user: User, now: datetime) -> RoundView | None:
    """The open round of the user's couple now (a couple has at most one) as they may see it, if
    its window still runs at `now` (round_view never shows a round open after its window): one query."""
    still_open = Round.objects.filter(
        couple_id__in=current_couple_ids(user=user), status=Round.Status.OPEN, closes_at__gt=now
    )
    # An open round has no flags (the analysis flags revealed rounds, and round_view shows flags
    # only after the reveal), so they are not joined.
    rounds = _folded(still_open, viewer=user, with_flags=False)
    return round_view(checkin_round=rounds[0], viewer=user, now=now) if rounds else None


class History:
    """The rounds of every couple the user is or was in, newest first, as they may see them at
    one instant: what a paginator needs, `count()` and a page by slice, one query each."""

    def __init__(self, *, user: User, now: datetime) -> None:
        self.user, self.now = user, now

    def count(self) -> int:
        return _scoped(self.user).count()

    def __getitem__(self, page: slice) -> list[RoundView]:
        return history_page(user=self.user, page=page, now=self.now)


def history_page(*, user: User, page: slice, now: datetime) -> list[RoundView]:
    """A page of the rounds of every couple the user is or was in, newest first, as they may see
    them at `now`: one query, the page's ids being a subquery of the rounds, their answers and flags."""
    rounds = _scoped(user).order_by("-opens_at", "-pk")
    return round_views(rounds=rounds.filter(pk__in=rounds.values("pk")[page]), viewer=user, now=now)


def round_get(*, user: User, round_id: int) -> RoundView | None:
    rounds = _scoped(user).filter(pk=round_id)
    return next(iter(round_views(rounds=rounds, viewer=user, now=timezone.now())), None)


def round_exists(*, user: User, round_id: int) -> bool:
    """Is it a round of a couple the user is or was in? (Any other id looks missing.)"""
    return _scoped(user).filter(pk=round_id).exists()


def round_views(*, rounds: QuerySet[Round], viewer: User, now: datetime) -> list[RoundView]:
    """`rounds`, in their order, as `viewer` may see them at `now` (`round_view`), in one query."""
    return [
        round_view(checkin_round=checkin_round, viewer=viewer, now=now)
        for checkin_round in _folded(rounds, viewer=viewer)
    ]


# What a round shows of the two people in its couple, as `viewer` sees it: the partner's name
# (none once their account is deleted) and who took their answers along when leaving.
_PEOPLE_FIELDS = ("partner_display_name", "partner_took_answers", "i_took_answers")


def _folded(rounds: QuerySet[Round], *, viewer: User, with_flags: bool = True) -> list[_Folded]:
    """Each of `rounds` (in order) with its answers and flags, and what it shows of its couple's
    two people to `viewer`, in one query.

    The answers and flags come as LEFT JOINs of the round, one row per answer and flag pair (a
    round has at most two answers and a handful of flags), and are folded back per round here.
    """
    members = Membership.objects.filter(couple_id=OuterRef("couple_id"))
    partner = members.exclude(user_id=viewer.pk)
    rounds = rounds.annotate(
        partner_display_name=Subquery(partner.values("user__display_name")[:1]),
        partner_took_answers=Exists(partner.filter(answers_removed_at__isnull=False)),
        i_took_answers=Exists(members.filter(user_id=viewer.pk, answers_removed_at__isnull=False)),
    )
    answer_columns = ("answers__user_id", *(f"answers__{name}" for name in _ANSWER_FIELDS))
    flag_columns = ("flags__id", *(f"flags__{name}" for name in _FLAG_FIELDS)) if with_flags else ()
    rows = rounds.values(*_ROUND_FIELDS, *_PEOPLE_FIELDS, *answer_columns, *flag_columns)
    folded: dict[int, _Folded] = {}
    for row in rows:
        checkin_round = folded.get(row["id"])
        if checkin_round is None:
            checkin_round = _Folded(fields={name: row[name] for name in (*_ROUND_FIELDS, *_PEOPLE_FIELDS)})
            folded[row["id"]] = checkin_round
        if row["answers__user_id"] is not None:
            checkin_round.answers[row["answers__user_id"]] = OwnAnswer(
                **{name: row[f"answers__{name}"] for name in _ANSWER_FIELDS}
            )
        if with_flags and row["flags__id"] is not None:
            checkin_round.flags[row["flags__id"]] = {name: row[f"flags__{name}"] for name in _FLAG_FIELDS}
    return list(folded.values())


def round_view(*, checkin_round: _Folded, viewer: User, now: datetime) -> RoundView:
    """A round as `viewer` may see it at `now`: the partner's answer only after the reveal, and
    never `open` once its window has ended (round_changes.status_at). A side whose person left
    taking their answers along shows, on a revealed round (where they had answered), that they
    answered and that the answer was removed."""
    fields = checkin_round.fields
    mine = checkin_round.answers.get(viewer.pk)
    theirs = next((a for user_id, a in checkin_round.answers.items() if user_id != viewer.pk), None)
    revealed = fields["status"] == Round.Status.REVEALED
    patterns = None
    if revealed and mine and theirs:
        patterns = Patterns(
            me=pattern_of(connection=mine.connection, independence=mine.independence),
            partner=pattern_of(connection=theirs.connection, independence=theirs.independence),
        )
    flags = []
    if revealed:
        # Most important first, as the round's discussion is led (rules.importance).
        ordered = sorted(
            checkin_round.flags.items(),
            key=lambda pk_f: (rules.importance(pk_f[1]["kind"], pk_f[1]["dimension"]), pk_f[0]),
        )
        flags = [
            ShownFlag(
                kind=f["kind"], dimension=f["dimension"] or None, summary=f["summary"], discussion_id=f["discussion_id"]
            )
            for _, f in ordered
        ]
    return RoundView(
        id=fields["id"],
        couple_id=fields["couple_id"],
        status=status_at(status=fields["status"], closes_at=fields["closes_at"], now=now),
        opens_at=fields["opens_at"],
        closes_at=fields["closes_at"],
        revealed_at=fields["revealed_at"],
        # Until the analysis has run, an empty `flags` means "not looked yet", not "nothing found".
        analysed_at=fields["analysed_at"] if revealed else None,
        me=Side(
            answered=mine is not None or (revealed and fields["i_took_answers"]),
            answer=mine,
            removed=revealed and mine is None and fields["i_took_answers"],
        ),
        partner=Side(
            display_name=fields["partner_display_name"],
            answered=theirs is not None or (revealed and fields["partner_took_answers"]),
            answer=SharedAnswer.of(theirs) if (revealed and theirs) else None,
            removed=revealed and theirs is None and fields["partner_took_answers"],
        ),
        patterns=patterns,
        flags=flags,
    )


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None


@dataclass(frozen=True)
class SeriesPoint:
    round_id: int
    revealed_at: datetime
    connection: int
    independence: int
    pattern: str


@dataclass(frozen=True)
class Gap:
    round_id: int
    revealed_at: datetime
    connection: int
    independence: int


@dataclass(frozen=True)
class FlaggedRound:
    round_id: int
    revealed_at: datetime
    flags: list[ShownFlag]


@dataclass(frozen=True)
class Trends:
    period: Period
    rounds: int
    series: dict[str, list[SeriesPoint]]  # by side, "me" and "partner"
    gaps: list[Gap]
    pattern_counts: dict[str, dict[str, int]]  # by side, then by pattern
    flagged_rounds: list[FlaggedRound]


def trends(*, user: User, period: Period) -> Trends:
    """Per-partner series, the gap between the partners per round, pattern counts and flagged
    rounds, over the revealed rounds of the user's latest couple (the current one, else the one
    that ended last) whose reveal falls in `period` (local dates in the reader's time zone, both
    ends included). Oldest first, as a chart reads. One couple's: "partner" is one person."""
    zone = ZoneInfo(user.timezone)
    latest_couple = Membership.objects.filter(user=user).order_by("-joined_at", "-pk").values("couple_id")[:1]
    revealed = _scoped(user).filter(couple_id__in=latest_couple, status=Round.Status.REVEALED)
    revealed = revealed.order_by("revealed_at", "pk")
    if period.start:
        revealed = revealed.filter(revealed_at__gte=datetime.combine(period.start, time.min, tzinfo=zone))
    if period.end:
        day_after = period.end + timedelta(days=1)
        revealed = revealed.filter(revealed_at__lt=datetime.combine(day_after, time.min, tzinfo=zone))

    series: dict[str, list[SeriesPoint]] = {"me": [], "partner": []}
    gaps: list[Gap] = []
    flagged: list[FlaggedRound] = []
    pattern_counts: dict[str, dict[str, int]] = {side: dict.fromkeys(PATTERNS, 0) for side in ("me", "partner")}
    for view in round_views(rounds=revealed, viewer=user, now=timezone.now()):
        mine, theirs = view.me.answer, view.partner.answer
        if not (mine and theirs and view.patterns and view.revealed_at):
            continue  # one partner's answer went with their account, or they took it along
        for side, answer, pattern in (("me", mine, view.patterns.me), ("partner", theirs, view.patterns.partner)):
            series[side].append(SeriesPoint(view.id, view.revealed_at, answer.connection, answer.independence, pattern))
            pattern_counts[side][pattern] += 1
        # Signed, my rating minus my partner's: the sign says who feels it more.
        gaps.append(
            Gap(
                view.id,
                view.revealed_at,
                connection=mine.connection - theirs.connection,
                independence=mine.independence - theirs.independence,
            )
        )
        if view.flags:
            flagged.append(FlaggedRound(view.id, view.revealed_at, view.flags))
    return Trends(period, len(gaps), series, gaps, pattern_counts, flagged)


def discussions_of(*, user: User, status: str | None = None) -> QuerySet[Discussion]:
    """The discussions of every couple the user is or was in, newest first, notes loaded, each
    `read_only` once its couple has ended (services.discussion_note_add and discussion_resolve
    refuse those)."""
    discussions = (
        Discussion.objects.filter(couple_id__in=member_couple_ids(user=user))
        .annotate(
            read_only=ExpressionWrapper(Q(couple__ended_at__isnull=False), output_field=BooleanField()),
        )
        .order_by("-created_at", "-pk")
        .prefetch_related(
            Prefetch("notes", queryset=DiscussionNote.objects.select_related("author").order_by("created_at", "pk")),
            "flags",  # its points (Discussion.points)
        )
    )
    return discussions.filter(status=status) if status else discussions


def export_of(*, user: User) -> list[RoundView]:
    """Every round the user answered or could have answered, in every couple they were in, as
    they may see it: their own answers in full, the partner's only where it was revealed."""
    rounds = Round.objects.filter(couple_id__in=member_couple_ids(user=user)).order_by("opens_at", "pk")
    return round_views(rounds=rounds, viewer=user, now=timezone.now())


def notes_export_of(*, user: User) -> QuerySet[DiscussionNote]:
    """The discussion notes the user wrote, in every couple they were in, for their export."""
    return DiscussionNote.objects.filter(author=user).order_by("created_at")


def invitations_still_wanted(invitations: list[Notification]) -> set[int]:
    """Of these invitations to answer a round (round opened, nudge), the ids of those whose round
    is still open and unanswered by their recipient (reminders ask only then), and, for a nudge,
    whose recipient has not begun some space since it was filed; in three queries at most whatever
    their number. Registered with notifications.lapses in CheckinConfig.ready."""
    invited = {(subjects.round_id_of(n.subject), n.user_id): n.pk for n in invitations}
    open_rounds = set(
        Round.objects.filter(pk__in={round_id for round_id, _ in invited}, status=Round.Status.OPEN).values_list(
            "pk", flat=True
        )
    )
    if not open_rounds:
        return set()
    answered = set(Answer.objects.filter(round_id__in=open_rounds).values_list("round_id", "user_id"))
    wanted = {pk for pair, pk in invited.items() if pair[0] in open_rounds and pair not in answered}
    nudges = [n for n in invitations if n.kind == Notification.Kind.NUDGE and n.pk in wanted]
    in_space = people_in_space(user_ids={n.user_id for n in nudges}, now=timezone.now()) if nudges else set()
    return wanted - {n.pk for n in nudges if n.user_id in in_space}
