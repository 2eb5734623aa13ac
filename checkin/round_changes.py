"""The one way to change what a round shows: every change to it (its status, window, reveal,
analysis, answers and flags) moves Round.version on in the same statement. (No read uses the
version since the round views are no longer cached, bench/RESULTS.md, session 10: dropping the
column, this rule and its watch needs a release that no longer writes it first.)

`rounds_change` is how services change rounds. tests/round_versions.py, a plugin of the
whole suite, fails any test whose SQL changes a column of a round that is not in
ROUND_FIELDS_NOT_SHOWN without moving its version in that statement, and a new field of Round must
be put on one side or the other (tests/checkin/test_round_versions.py).
"""

from datetime import datetime

from django.db.models import F, QuerySet

from checkin.models import Round
from foundation import metrics

ROUND_FIELDS_NOT_SHOWN = frozenset(
    {
        "scheduled_for",
        "nudge_at",
        "nudged_at",
        "closed_at",
        "version",
        "analysis_handoffs",
        "analysis_handed_off_at",
        "analysis_given_up_at",
    }
)


def rounds_change(rounds: QuerySet[Round], **changes: object) -> int:
    """Apply `changes` to `rounds` (none: something else they show changed, their answers or
    flags) and move their version on, in one statement. Returns how many rounds changed."""
    return rounds.update(**changes, version=F("version") + 1)


def rounds_expire(rounds: QuerySet[Round], *, now: datetime) -> int:
    """Expire those of `rounds` still open: closed with fewer than two answers. Conditional, so
    two ticks (or a tick and a couple ending) expire a round once. Returns how many expired."""
    expired = rounds_change(rounds.filter(status=Round.Status.OPEN), status=Round.Status.EXPIRED, closed_at=now)
    metrics.count_after_commit(metrics.ROUNDS_EXPIRED, expired)
    return expired


def status_at(*, status: str, closes_at: datetime, now: datetime) -> str:
    """What a round is at `now`, as every read shows it. An open round whose window has ended
    (`closes_at <= now`, as the tick's close_ended_rounds and the answering's refusal count it) is
    expired already: it can no longer be answered or revealed, and reads follow the clock rather
    than wait for the tick to record it with rounds_expire."""
    if status == Round.Status.OPEN and closes_at <= now:
        return Round.Status.EXPIRED
    return status
