"""Changes to rounds that more than one writer makes: expiring a round (the tick, a couple ending)
and what a round is at a moment, as every read shows it."""

from datetime import datetime

from django.db.models import QuerySet

from checkin.models import Round
from foundation import metrics


def rounds_expire(rounds: QuerySet[Round], *, now: datetime) -> int:
    """Expire those of `rounds` still open: closed with fewer than two answers. Conditional, so
    two ticks (or a tick and a couple ending) expire a round once. Returns how many expired."""
    expired = rounds.filter(status=Round.Status.OPEN).update(status=Round.Status.EXPIRED, closed_at=now)
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
