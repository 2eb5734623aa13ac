"""Every change to signals: sending one, replying to one, taking one back.

Each locks the couple's row (as leaving does), so that both partners acting at once take turns,
and a couple that ends meanwhile takes no new signal. The partner hears of a signal, and the
sender of its reply, through their channels (notifications.services.notify: inbox, push and email
by their preferences, quiet hours and a pause honoured); the words are notifications/messages.py's,
and carry the message itself only to a person who chose so (Preferences.signal_text: a lock screen
may be read by anyone who sees the phone).
"""

import math
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Least
from django.utils import timezone

from couples import live
from couples.models import Couple, User
from couples.schedules import local_instant
from couples.selectors import current_member_ids, member_couple_ids
from couples.services import couple_lock_current
from foundation.errors import Invalid
from notifications.models import Notification
from notifications.selectors import preferences_of
from notifications.services import notifications_read_about, notifications_unsay, notify
from signals import selectors, subjects
from signals.errors import AlreadyReplied, CoupleEnded, NoPartner, NoSuchSignal, NotYourSignal, TooManySignals
from signals.models import Signal

# At most this many signals per person in any 24 hours (a rolling day, not the calendar's: it
# needs no time zone, and five sent just before midnight do not allow five more at once). Those
# taken back count too, or taking back and sending again would walk past it.
SIGNALS_PER_DAY = 5
DAY = timedelta(hours=24)
# A space ends at most this far ahead: a longer one is no longer "a little space".
LONGEST_SPACE = timedelta(days=7)


# What a reply that does not fit its signal's kind is told.
REPLY_DOES_NOT_FIT = {
    Signal.Kind.SPACE: "A reply to a space is ok.",
    Signal.Kind.INVITE: "A reply to an invitation is yes, later or not_now.",
}


def end_of_local_day(*, now: datetime, timezone_name: str) -> datetime:
    """The next local midnight in `timezone_name` after `now`, as an instant (a midnight that a DST
    change skips is the first instant after it, as couples/schedules.py rules)."""
    zone = ZoneInfo(timezone_name)
    return local_instant(now.astimezone(zone).date() + timedelta(days=1), time(0, 0), zone)


def _locked_couple(*, user: User) -> Couple:
    couple = couple_lock_current(user=user)
    if couple is None:
        raise NoPartner()
    return couple


def _told_message(*, recipient: User, message: str) -> str:
    """What a notification of a signal (or a reply) to `recipient` says of its message: the message
    when they chose to see it there, else nothing (the kind's own words stand)."""
    return message if message and preferences_of(user=recipient).signal_text else ""


def _recipients(*, user_ids: list[int]) -> list[User]:
    return list(User.objects.filter(pk__in=user_ids).select_related("notification_preferences"))


def _space_until(*, user: User, until: datetime | None, now: datetime) -> datetime:
    if until is None:
        return end_of_local_day(now=now, timezone_name=user.timezone)
    if until <= now:
        raise Invalid({"until": ["That time has passed: choose when your space ends, still ahead."]})
    if until > now + LONGEST_SPACE:
        raise Invalid({"until": ["A space lasts at most 7 days: choose an end within a week."]})
    return until


@transaction.atomic
def signal_send(
    *, user: User, kind: str, message: str = "", until: datetime | None = None, now: datetime | None = None
) -> Signal:
    """Send a signal to the partner; a new space ends the sender's current one."""
    if kind != Signal.Kind.SPACE and until is not None:
        raise Invalid({"until": ["Only a space has an end: leave until out of an invitation or a thank-you."]})
    couple = _locked_couple(user=user)
    # Read after the lock: a send that waited on another's lock must not end that one's space at a
    # moment before it began.
    now = now or timezone.now()
    space_until = _space_until(user=user, until=until, now=now) if kind == Signal.Kind.SPACE else None
    # The couple's row lock makes one person's sends take turns, so the count holds.
    recent = selectors.sent_since(user=user, since=now - DAY)
    if len(recent) >= SIGNALS_PER_DAY:
        frees_at = recent[SIGNALS_PER_DAY - 1] + DAY
        raise TooManySignals(retry_after=max(1, math.ceil((frees_at - now).total_seconds())))
    if kind == Signal.Kind.SPACE:
        _spaces_end(Signal.objects.filter(sender=user, kind=Signal.Kind.SPACE, ended_at__isnull=True), now=now)
    signal = Signal(couple=couple, sender=user, kind=kind, message=message, until=space_until, created_at=now)
    signal.save()
    for partner in _recipients(user_ids=current_member_ids(couple_id=couple.pk, but=user)):
        notify(
            user_ids=[partner.pk],
            kind=Notification.Kind.SIGNAL_SENT,
            subject=subjects.of_signal(couple_id=couple.pk, signal_id=signal.pk),
            data={"signal_id": signal.pk},
            body=_told_message(recipient=partner, message=message),
            partner=user.display_name,
        )
    live.couple_changed(couple_ids=[couple.pk], topics=[live.Topic.SIGNALS])
    return signal


def _spaces_end(spaces: QuerySet[Signal], *, now: datetime) -> None:
    # `until` comes forward to now, so that it says when the space ended (a past one keeps its own).
    spaces.update(ended_at=now, until=Least(F("until"), now))


def _locked_signal(*, user: User, signal_id: int) -> Signal:
    signal = (
        selectors.signals_of(user=user).select_for_update(of=("self",)).select_related("couple").filter(pk=signal_id)
    ).first()
    if signal is None:
        raise NoSuchSignal()
    if signal.couple.ended_at is not None:
        raise CoupleEnded()
    return signal


@transaction.atomic
def signal_reply(*, user: User, signal_id: int, reply: str, message: str = "", now: datetime | None = None) -> Signal:
    """The partner's one reply to a signal: yes, later or not now to an invitation, ok to a space."""
    signal = _locked_signal(user=user, signal_id=signal_id)
    now = now or timezone.now()  # after the lock, as in signal_send
    if signal.sender_id == user.pk:
        raise Invalid({"reply": ["You sent this signal: only your partner can reply to it."]})
    fitting = Signal.REPLIES_OF_KIND[Signal.Kind(signal.kind)]
    if not fitting:
        raise Invalid({"reply": ["A thank-you needs no reply."]})
    if reply not in fitting:
        raise Invalid({"reply": [REPLY_DOES_NOT_FIT[Signal.Kind(signal.kind)]]})
    if signal.replied_at is not None:
        raise AlreadyReplied()
    signal.reply, signal.reply_message, signal.replied_at = reply, message, now
    signal.save(update_fields=["reply", "reply_message", "replied_at"])
    [sender] = _recipients(user_ids=[signal.sender_id])
    notify(
        user_ids=[sender.pk],
        kind=Notification.Kind.SIGNAL_REPLIED,
        subject=subjects.of_reply(couple_id=signal.couple_id, signal_id=signal.pk),
        data={"signal_id": signal.pk},
        body=_told_message(recipient=sender, message=message),
        partner=user.display_name,
    )
    live.couple_changed(couple_ids=[signal.couple_id], topics=[live.Topic.SIGNALS])
    return signal


@transaction.atomic
def signal_withdraw(*, user: User, signal_id: int, now: datetime | None = None) -> None:
    """The sender takes a signal back: nobody sees it any more, and a space ends now. Its news,
    if still waiting to go out, lapses (selectors.news_still_wanted)."""
    signal = _locked_signal(user=user, signal_id=signal_id)
    now = now or timezone.now()  # after the lock, as in signal_send
    if signal.sender_id != user.pk:
        raise NotYourSignal()
    if signal.kind == Signal.Kind.SPACE:
        _spaces_end(Signal.objects.filter(pk=signal.pk, ended_at__isnull=True), now=now)
    # The row stays for the day's count; what it said, and the reply, go.
    Signal.objects.filter(pk=signal.pk).update(
        withdrawn_at=now, message="", reply="", reply_message="", replied_at=None
    )
    notifications_unsay(
        kind=Notification.Kind.SIGNAL_SENT,
        subjects=[subjects.of_signal(couple_id=signal.couple_id, signal_id=signal.pk)],
    )
    notifications_unsay(
        kind=Notification.Kind.SIGNAL_REPLIED,
        subjects=[subjects.of_reply(couple_id=signal.couple_id, signal_id=signal.pk)],
    )
    live.couple_changed(couple_ids=[signal.couple_id], topics=[live.Topic.SIGNALS])


def signals_seen(*, user: User, signals: Iterable[Signal]) -> None:
    """`user` has seen these signals: what their inbox says about them (a partner's signal, the
    reply to their own) is read. One conditional update, which writes nothing when none is unread."""
    seen = [
        subjects.of_signal(couple_id=s.couple_id, signal_id=s.pk)
        if s.sender_id != user.pk
        else subjects.of_reply(couple_id=s.couple_id, signal_id=s.pk)
        for s in signals
        if s.sender_id != user.pk or s.replied_at is not None
    ]
    if seen:
        notifications_read_about(user=user, subjects=seen)


def signals_forget_person(*, user: User) -> None:
    """Before `user`'s account is deleted: their replies to their partners' signals go (the signals
    they sent go with the account, by its foreign key). The caller holds a transaction."""
    received = Signal.objects.filter(couple_id__in=member_couple_ids(user=user)).exclude(sender=user)
    replied = received.exclude(reply="")
    notifications_unsay(
        kind=Notification.Kind.SIGNAL_REPLIED,
        subjects=[subjects.of_reply(couple_id=c, signal_id=s) for c, s in replied.values_list("couple_id", "pk")],
    )
    replied.update(reply="", reply_message="", replied_at=None)
    live.couple_changed(couple_ids=member_couple_ids(user=user), topics=[live.Topic.SIGNALS])
