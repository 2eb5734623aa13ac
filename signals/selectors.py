"""Reads of signals, scoped to the person asking: what they may see is the signals of every couple
they are or were in (as check-ins are, after a couple ended too), never one taken back."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from couples.models import User
from couples.selectors import current_couple_id, member_couple_ids
from notifications.models import Notification
from signals import subjects
from signals.models import Signal


def signals_of(*, user: User) -> QuerySet[Signal]:
    """The signals of the couples `user` is or was in, newest first, none taken back."""
    return Signal.objects.filter(couple_id__in=member_couple_ids(user=user), withdrawn_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def _live_spaces(now: datetime) -> Q:
    # A space is live while it has not ended (replaced, taken back) and its end is still ahead.
    return Q(kind=Signal.Kind.SPACE, ended_at__isnull=True, withdrawn_at__isnull=True, until__gt=now)


@dataclass(frozen=True)
class Spaces:
    """Each partner's live space in the couple of the person asking, or None."""

    me: Signal | None
    partner: Signal | None


def spaces_current(*, user: User, now: datetime) -> Spaces | None:
    """The live spaces of `user`'s current couple, seen by them; None when they are not paired."""
    couple_id = current_couple_id(user=user)
    if couple_id is None:
        return None
    live = list(Signal.objects.filter(_live_spaces(now), couple_id=couple_id))
    return Spaces(
        me=next((s for s in live if s.sender_id == user.pk), None),
        partner=next((s for s in live if s.sender_id != user.pk), None),
    )


def people_in_space(*, user_ids: Iterable[int], now: datetime) -> set[int]:
    """Of `user_ids`, those whose space is live in the couple they are in now: Tandem does not
    remind them of a check-in (checkin.services.round_nudge). One query."""
    return set(
        Signal.objects.filter(_live_spaces(now), sender_id__in=list(user_ids), couple__ended_at__isnull=True)
        .values_list("sender_id", flat=True)
        .distinct()
    )


def sent_since(*, user: User, since: datetime) -> list[datetime]:
    """When `user` sent each signal since `since` (those taken back too), newest first: what the
    daily limit counts."""
    sent = Signal.objects.filter(sender=user, created_at__gt=since).order_by("-created_at")
    return list(sent.values_list("created_at", flat=True))


def news_still_wanted(notifications: list[Notification]) -> Collection[int]:
    """Of these notifications of a signal sent, the ids of those whose signal still stands: not
    taken back and, for a space, not over. Registered with notifications.lapses (SignalsConfig)."""
    now = timezone.now()
    by_signal = {subjects.signal_id_of(n.subject): n.pk for n in notifications}
    standing = Signal.objects.filter(pk__in=list(by_signal), withdrawn_at__isnull=True).filter(
        ~Q(kind=Signal.Kind.SPACE) | _live_spaces(now)
    )
    return {by_signal[pk] for pk in standing.values_list("pk", flat=True)}


def export_of(*, user: User) -> QuerySet[Signal]:
    """For `user`'s export, oldest first: every signal they can see, and those they took back."""
    return Signal.objects.filter(
        Q(couple_id__in=member_couple_ids(user=user), withdrawn_at__isnull=True) | Q(sender=user)
    ).order_by("created_at", "pk")
