"""Reads of rounds, scoped to the reader's current couple, with the hide-until-reveal rule.

`round_view` is the only place that decides what of a round a person may see: every endpoint
(current, history, detail, trends) goes through it or through `trends`, which reads only
revealed rounds.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet

from checkin.models import Discussion, DiscussionNote, Round
from checkin.models import Response as CheckinResponse
from checkin.patterns import DIMENSIONS, PATTERNS, pattern_of
from config.renderers import JSONRenderer, RenderedJSON
from couples.models import Membership, User

log = logging.getLogger(__name__)


def current_couple_id(*, user: User) -> int | None:
    return current_couple_subquery(user=user).first()


def current_couple_subquery(*, user: User) -> QuerySet:
    """The id of the user's current couple (none when unpaired), to filter by as a subquery:
    `couple_id__in=` costs no query of its own."""
    return Membership.objects.filter(user=user, left_at__isnull=True).values_list("couple_id", flat=True)


_ROUND_FIELDS = ("id", "couple_id", "status", "opens_at", "closes_at", "revealed_at", "analysed_at")
_ANSWER_FIELDS = ("connection", "independence", "note", "private_note", "submitted_at", "updated_at")
_FLAG_FIELDS = ("kind", "dimension", "summary", "discussion_id")


def _scoped(user: User) -> QuerySet[Round]:
    return Round.objects.filter(couple_id__in=current_couple_subquery(user=user))


def rounds_of(*, user: User) -> QuerySet[Round]:
    """The rounds of the user's current couple, newest first; `round_views` shows them.

    A person who is not paired sees none; rounds of a couple they left stay with that couple.
    The couple is a subquery, so scoping costs no query of its own.
    """
    return _scoped(user).order_by("-opens_at", "-pk")


# Round views are read far more often than they change: the app opens on the current round and
# the history many times between two weekly rounds. So the two are cached, under keys made of
# what they show: the viewer, the rounds and the rounds' versions. Every change to what a round
# shows adds 1 to its version in the change's own transaction (Round.version), so a read that
# starts after the change commits builds a new key. The key is read before the view, so a cached
# view is never older than its key. A key holds one viewer's view: nothing cached for one
# partner is ever served to the other.


# The keys are read on every request, and building these reads with the ORM cost more than
# running them, so they are written out (their values are plain integers on every database).
_CURRENT_COUPLE = f"""
    SELECT couple_id FROM {Membership._meta.db_table} WHERE user_id = %(user_id)s AND left_at IS NULL
""".strip()
_OPEN_ROUND_KEY = f"""
    SELECT id, version FROM {Round._meta.db_table}
    WHERE status = %(open)s AND couple_id IN ({_CURRENT_COUPLE})
""".strip()
_HISTORY_KEY = f"""
    SELECT membership.couple_id, COUNT(rounds.id), COALESCE(SUM(rounds.version), 0)
    FROM {Membership._meta.db_table} membership
    LEFT JOIN {Round._meta.db_table} rounds ON rounds.couple_id = membership.couple_id
    WHERE membership.user_id = %(user_id)s AND membership.left_at IS NULL
    GROUP BY membership.couple_id
""".strip()


def _one_row(sql: str, params: dict) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# The prefix names the format the views are kept in (JSON text; earlier releases kept dicts under
# "checkin:"), so that a process of one release never reads what another cached.
_KEY_PREFIX = "checkin:json:2"  # :2 since views carry analysed_at


def _written(view: dict | list[dict]) -> bytes | list[bytes]:
    """A round view as the JSON text the renderer writes for it; a page of them, as one text each
    (the renderer writes a page's texts and its count and links around them)."""
    # Plain bytes, not RenderedJSON, go to the cache: they unpickle without importing a class.
    if isinstance(view, list):
        return [bytes(JSONRenderer.written(item)) for item in view]
    return bytes(JSONRenderer.written(view))


def _as_rendered(stored: bytes | list[bytes]) -> RenderedJSON | list[RenderedJSON]:
    if isinstance(stored, list):
        return [RenderedJSON(item) for item in stored]
    return RenderedJSON(stored)


@overload
def _cached(key: str, build: Callable[[], dict | None]) -> RenderedJSON | None: ...
@overload
def _cached(key: str, build: Callable[[], list[dict]]) -> list[RenderedJSON]: ...
def _cached(key: str, build: Callable[[], dict | list[dict] | None]) -> RenderedJSON | list[RenderedJSON] | None:
    """The view cached under `key`, or `build()`'s, cached; either way as its JSON text, which
    is served as it is (config/renderers.py). A failing cache is passed by."""
    try:
        found = cache.get(key)
    except Exception:  # the cache backend's own errors (Redis down, say): it only saves work
        log.warning("The round views cache cannot be read; reading the database instead.")
        view = build()
        return None if view is None else _as_rendered(_written(view))
    if found is not None:
        return _as_rendered(found)
    view = build()
    if view is None:
        return None
    written = _written(view)
    try:
        cache.set(key, written, timeout=settings.ROUND_VIEWS_CACHE_SECONDS)
    except Exception:
        log.warning("The round views cache cannot be written; the view is served uncached.")
    return _as_rendered(written)


def round_current(*, user: User) -> RenderedJSON | None:
    """The open round as the user may see it (a couple has at most one), as its JSON text, or None."""
    open_round = _one_row(_OPEN_ROUND_KEY, {"user_id": user.pk, "open": Round.Status.OPEN})
    if open_round is None:
        return None
    round_id, version = open_round

    def build() -> dict | None:
        # An open round has no flags (the analysis flags revealed rounds, and round_view shows
        # flags only after the reveal), so they are not joined.
        rounds = _folded(_scoped(user).filter(pk=round_id, status=Round.Status.OPEN), with_flags=False)
        return round_view(checkin_round=rounds[0], viewer=user) if rounds else None

    # The round's id is its couple's (never another's), and the read above scoped it to the user.
    return _cached(f"{_KEY_PREFIX}:current:{round_id}:{version}:viewer:{user.pk}", build)


def round_get(*, user: User, round_id: int) -> dict | None:
    return next(iter(round_views(rounds=_scoped(user).filter(pk=round_id), viewer=user)), None)


def round_exists(*, user: User, round_id: int) -> bool:
    """Is it a round of the user's current couple? (Any other id looks missing.)"""
    return _scoped(user).filter(pk=round_id).exists()


def round_views(*, rounds: QuerySet[Round], viewer: User) -> list[dict]:
    """`rounds`, in their order, as `viewer` may see them (`round_view`), in one query."""
    return [round_view(checkin_round=checkin_round, viewer=viewer) for checkin_round in _folded(rounds)]


class History:
    """The rounds of the user's current couple, newest first, as they may see them, for a
    paginator. One query tells the couple, its number of rounds and the sum of their versions:
    that is `count()`, and the key of the cached pages. A page not cached is one query more, the
    page's ids being a subquery of the rounds, their answers and flags."""

    def __init__(self, *, user: User) -> None:
        self.user = user
        self._state: tuple[int, int, int] | None = None

    def _couple_rounds_and_changes(self) -> tuple[int, int, int]:
        # Rounds are never deleted while their couple lasts and versions only grow, so any change
        # to the history (a new round, a change to one) moves the count or the sum: a new key.
        if self._state is None:
            self._state = _one_row(_HISTORY_KEY, {"user_id": self.user.pk}) or (0, 0, 0)
        return self._state

    def count(self) -> int:
        return self._couple_rounds_and_changes()[1]

    def __getitem__(self, page: slice) -> list[RenderedJSON]:
        couple_id, rounds, changes = self._couple_rounds_and_changes()
        if not rounds:
            return []

        def build() -> list[dict]:
            # The couple just read is the scope: a person who left it since saw it a moment ago.
            of_couple = Round.objects.filter(couple_id=couple_id).order_by("-opens_at", "-pk")
            return round_views(rounds=of_couple.filter(pk__in=of_couple.values("pk")[page]), viewer=self.user)

        key = f"{_KEY_PREFIX}:history:{couple_id}:{rounds}:{changes}:viewer:{self.user.pk}:{page.start}:{page.stop}"
        return _cached(key, build)


def _folded(rounds: QuerySet[Round], *, with_flags: bool = True) -> list[dict]:
    """Each of `rounds` (in order) with its answers and flags, each keyed by id, in one query.

    The answers and flags come as LEFT JOINs of the round, one row per answer and flag pair (a
    round has at most two answers and a handful of flags), and are folded back per round here.
    """
    answer_columns = ("responses__id", "responses__user_id", *(f"responses__{field}" for field in _ANSWER_FIELDS))
    flag_columns = ("flags__id", *(f"flags__{field}" for field in _FLAG_FIELDS)) if with_flags else ()
    rows = rounds.values(*_ROUND_FIELDS, *answer_columns, *flag_columns)
    folded: dict[int, dict] = {}
    for row in rows:
        checkin_round = folded.get(row["id"])
        if checkin_round is None:
            checkin_round = {field: row[field] for field in _ROUND_FIELDS} | {"answers": {}, "flags": {}}
            folded[row["id"]] = checkin_round
        if row["responses__id"] is not None:
            checkin_round["answers"][row["responses__id"]] = {
                "user_id": row["responses__user_id"],
                **{field: row[f"responses__{field}"] for field in _ANSWER_FIELDS},
            }
        if with_flags and row["flags__id"] is not None:
            checkin_round["flags"][row["flags__id"]] = {field: row[f"flags__{field}"] for field in _FLAG_FIELDS}
    return list(folded.values())


def _own(answer: dict) -> dict:
    return {field: answer[field] for field in _ANSWER_FIELDS}


def _shared(answer: dict) -> dict:
    # What a partner may see after the reveal: never the private note.
    return {field: answer[field] for field in _ANSWER_FIELDS if field != "private_note"}


def response_view(*, answer: CheckinResponse) -> dict:
    return {field: getattr(answer, field) for field in _ANSWER_FIELDS}


def round_view(*, checkin_round: dict, viewer: User) -> dict:
    """A round as `viewer` may see it: the partner's answer only after the reveal.

    `checkin_round` is a round as `_folded` reads it: its fields, and its answers and flags each
    keyed by id.
    """
    answers = [checkin_round["answers"][pk] for pk in sorted(checkin_round["answers"])]
    mine = next((a for a in answers if a["user_id"] == viewer.pk), None)
    theirs = next((a for a in answers if a["user_id"] != viewer.pk), None)
    revealed = checkin_round["status"] == Round.Status.REVEALED
    patterns = None
    if revealed and mine and theirs:
        patterns = {
            "me": pattern_of(connection=mine["connection"], independence=mine["independence"]),
            "partner": pattern_of(connection=theirs["connection"], independence=theirs["independence"]),
        }
    flags = []
    if revealed:
        flags = [
            {
                "kind": f["kind"],
                "dimension": f["dimension"] or None,
                "summary": f["summary"],
                "discussion_id": f["discussion_id"],
            }
            for f in (checkin_round["flags"][pk] for pk in sorted(checkin_round["flags"]))
        ]
    return {
        "id": checkin_round["id"],
        "status": checkin_round["status"],
        "opens_at": checkin_round["opens_at"],
        "closes_at": checkin_round["closes_at"],
        "revealed_at": checkin_round["revealed_at"],
        # Until the analysis has run, an empty `flags` means "not looked yet", not "nothing found".
        "analysed_at": checkin_round["analysed_at"] if revealed else None,
        "me": {"answered": mine is not None, "response": _own(mine) if mine else None},
        "partner": {
            "answered": theirs is not None,
            "response": _shared(theirs) if (revealed and theirs) else None,
        },
        "patterns": patterns,
        "flags": flags,
    }


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None


def trends(*, user: User, period: Period) -> dict:
    """Per-partner series, the gap between the partners per round, pattern counts and flagged
    rounds, over the revealed rounds of the current couple whose reveal falls in `period`
    (local dates in the reader's time zone, both ends included). Oldest first, as a chart reads."""
    zone = ZoneInfo(user.timezone)
    revealed = _scoped(user).filter(status=Round.Status.REVEALED).order_by("revealed_at", "pk")
    if period.start:
        revealed = revealed.filter(revealed_at__gte=datetime.combine(period.start, time.min, tzinfo=zone))
    if period.end:
        day_after = period.end + timedelta(days=1)
        revealed = revealed.filter(revealed_at__lt=datetime.combine(day_after, time.min, tzinfo=zone))

    series: dict[str, list] = {"me": [], "partner": []}
    gaps, flagged = [], []
    pattern_counts = {side: dict.fromkeys(PATTERNS, 0) for side in ("me", "partner")}
    for view in round_views(rounds=revealed, viewer=user):
        mine, theirs = view["me"]["response"], view["partner"]["response"]
        if not (mine and theirs):
            continue  # one partner's answer was deleted with their account
        for side, answer in (("me", mine), ("partner", theirs)):
            series[side].append(
                {
                    "round_id": view["id"],
                    "revealed_at": view["revealed_at"],
                    "connection": answer["connection"],
                    "independence": answer["independence"],
                    "pattern": view["patterns"][side],
                }
            )
            pattern_counts[side][view["patterns"][side]] += 1
        gaps.append(
            {
                "round_id": view["id"],
                "revealed_at": view["revealed_at"],
                # Signed, my rating minus my partner's: the sign says who feels it more.
                **{dimension: mine[dimension] - theirs[dimension] for dimension in DIMENSIONS},
            }
        )
        if view["flags"]:
            flagged.append({"round_id": view["id"], "revealed_at": view["revealed_at"], "flags": view["flags"]})
    return {
        "from": period.start,
        "to": period.end,
        "rounds": len(gaps),
        "series": series,
        "gaps": gaps,
        "pattern_counts": pattern_counts,
        "flagged_rounds": flagged,
    }


def responses_of(*, user: User) -> QuerySet[CheckinResponse]:
    """The user's own answers in every couple they were in, for their export."""
    return CheckinResponse.objects.filter(user=user).select_related("round").order_by("submitted_at")


def discussions_of(*, user: User, status: str | None = None) -> QuerySet[Discussion]:
    """The discussions of the user's current couple, newest first, notes loaded."""
    discussions = (
        Discussion.objects.filter(couple_id=current_couple_id(user=user))  # type: ignore[misc]  # None matches no row
        .order_by("-created_at", "-pk")
        .prefetch_related(
            Prefetch("notes", queryset=DiscussionNote.objects.select_related("author").order_by("created_at", "pk"))
        )
    )
    return discussions.filter(status=status) if status else discussions


def export_of(*, user: User) -> list[dict]:
    """Every round the user answered or could have answered, in every couple they were in, as
    they may see it: their own answers in full, the partner's only where it was revealed."""
    couple_ids = Membership.objects.filter(user=user).values_list("couple_id", flat=True)
    rounds = Round.objects.filter(couple_id__in=couple_ids).order_by("opens_at", "pk")
    return [{"couple_id": r["couple_id"], **round_view(checkin_round=r, viewer=user)} for r in _folded(rounds)]


def rounds_awaiting_answers(invited: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (round id, person) pairs, those whose round is still open and unanswered by that
    person (reminders ask only then), in two queries whatever their number."""
    open_rounds = set(
        Round.objects.filter(pk__in={round_id for round_id, _ in invited}, status=Round.Status.OPEN).values_list(
            "pk", flat=True
        )
    )
    if not open_rounds:
        return set()
    answered = set(CheckinResponse.objects.filter(round_id__in=open_rounds).values_list("round_id", "user_id"))
    return {pair for pair in invited if pair[0] in open_rounds and pair not in answered}
