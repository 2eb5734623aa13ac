"""Every change to the inbox, deliveries, subscriptions and preferences.

`notify` is the one way other apps tell people something. They call it inside the transaction
that makes the event happen (the round opens, the couple ends), so the inbox row commits or rolls
back with the event itself: an event is never lost to a crash between commit and hand-off, and
never told twice (one row per person, kind and subject). After commit, a fan-out task makes one
Delivery per channel and target and the deliver tasks send them (notifications/sending.py); the
sweep (every minute) redoes any hand-off a broker outage or a crash lost.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypedDict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from couples import live
from couples.models import User
from notifications import later, policy, selectors
from notifications.messages import TEXTS
from notifications.models import Delivery, Notification, Preferences, PushSubscription

log = logging.getLogger(__name__)

# What a notification of each kind changes on its recipient's screens, besides the inbox (every
# kind moves that): the open app refetches these at once (couples/live.py). A test holds the keys
# to Notification.Kind, so a new kind says what it changes.
LIVE_TOPICS_OF_KIND: dict[str, tuple[live.Topic, ...]] = {
    Notification.Kind.ROUND_OPENED: (live.Topic.ROUND,),
    Notification.Kind.NUDGE: (live.Topic.ROUND,),
    Notification.Kind.RESULTS_READY: (live.Topic.ROUND,),
    Notification.Kind.DISCUSSION_OPENED: (live.Topic.TALKS,),
    Notification.Kind.PARTNER_LEFT: (live.Topic.COUPLE, live.Topic.ROUND, live.Topic.SCHEDULE),
    Notification.Kind.INVITE_ACCEPTED: (live.Topic.COUPLE, live.Topic.SCHEDULE),
    Notification.Kind.SCHEDULE_CHANGED: (live.Topic.SCHEDULE,),
    Notification.Kind.SIGNAL_SENT: (live.Topic.SIGNALS,),
    Notification.Kind.SIGNAL_REPLIED: (live.Topic.SIGNALS,),
    # Account emails change nothing on screen: they are not in the inbox (account_email_file).
    Notification.Kind.PASSWORD_RESET: (),
    Notification.Kind.EMAIL_CONFIRM: (),
    Notification.Kind.EMAIL_CHANGED: (),
}


def notify(
    *, user_ids: Iterable[int], kind: str, subject: str, data: dict | None = None, body: str = "", **words: str
) -> None:
    """File one notification of `kind` about `subject` for each person; repeats change nothing.

    `words` fill the placeholders of the text (a display name): never a rating or a note. `body`,
    when given, says what the kind's own words would: a signal's message, for a person who chose
    to see it in notifications (Preferences.signal_text), and nothing else.
    """
    _file(
        kind=kind,
        recipients=[(user_id, subject) for user_id in user_ids],
        data=data,
        deliver_after=None,
        words=words,
        body=body,
    )


def notify_at_most_every(
    period: timedelta, *, user_ids: Iterable[int], kind: str, topic: str, data: dict | None = None, **words: str
) -> None:
    """File `kind` about `topic` (what changes, e.g. "schedule:12") so that each person hears of it
    at most once per `period`, and then of its latest state: the first change goes out at once;
    later ones within `period` of the last message fold into one message, which goes out (to the
    inbox, push and email alike) when the period ends, its words and data those of the latest change.

    Callers hold a lock on the topic (the schedule's row), so two changes at once file in turn; the
    unique subject (topic and when the message goes out) would refuse a second message anyway.
    """
    now = timezone.now()
    for user_id in user_ids:
        last = (
            Notification.objects.filter(user_id=user_id, kind=kind, subject__startswith=f"{topic}@")
            .order_by("-pk")
            .first()
        )
        told_at = None if last is None else last.deliver_after or last.created_at
        if told_at is None or now >= told_at + period:
            _file(
                kind=kind,
                recipients=[(user_id, f"{topic}@{now.timestamp():.0f}")],
                data=data,
                deliver_after=None,
                words=words,
            )
        elif last is not None and last.deliver_after is not None and last.deliver_after > now:
            # The folded message has not gone out yet: it now tells the latest change.
            title, body = _texts(kind, words)
            Notification.objects.filter(pk=last.pk).update(title=title, body=body, data=data or {}, created_at=now)
        else:
            deliver_after = told_at + period
            _file(
                kind=kind,
                recipients=[(user_id, f"{topic}@{deliver_after.timestamp():.0f}")],
                data=data,
                deliver_after=deliver_after,
                words=words,
            )


def _texts(kind: str, words: dict[str, str]) -> tuple[str, str]:
    title, body = (str(text).format(**words) for text in TEXTS[Notification.Kind(kind)])
    return title, body


def notify_each(*, kind: str, recipients: list[tuple[int, str]], data: dict | None = None, **words: str) -> None:
    """`notify` for many events of one kind at once: (user id, subject) pairs, in a few queries
    whatever their number (the tick opens hundreds of rounds in one batch)."""
    _file(kind=kind, recipients=recipients, data=data, deliver_after=None, words=words)


def _file(
    *,
    kind: str,
    recipients: list[tuple[int, str]],
    data: dict | None,
    deliver_after: datetime | None,
    words: dict[str, str],
    body: str = "",
) -> None:
    """`notify_each`; with `deliver_after`, their push and email wait until then; a `body` of the
    caller's own in place of the kind's (see `notify`)."""
    if not recipients:
        return
    now = timezone.now()
    user_ids = {user_id for user_id, _ in recipients}
    paused = dict(Preferences.objects.filter(user_id__in=user_ids).values_list("user_id", "paused_until"))
    filed = [
        (u, subject) for u, subject in recipients if policy.files_inbox(kind=kind, paused_until=paused.get(u), now=now)
    ]
    if not filed:
        return
    title, kinds_body = _texts(kind, words)
    body = body or kinds_body
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                kind=kind,
                subject=subject,
                title=title,
                body=body,
                data=data or {},
                created_at=now,
                deliver_after=deliver_after,
            )
            for user_id, subject in filed
        ],
        ignore_conflicts=True,
    )
    live.people_changed(
        user_ids=[user_id for user_id, _ in filed], topics=(live.Topic.INBOX, *LIVE_TOPICS_OF_KIND[kind])
    )
    subjects = sorted({subject for _, subject in filed})
    # `robust`: a broker outage must not fail the request that caused the event; the sweep
    # fans out whatever was never handed off.
    transaction.on_commit(lambda: later.fan_out(kind, subjects), robust=True)


def account_email_file(*, user_id: int, kind: str, request: str, address: str = "") -> None:
    """File an account email (policy.ACCOUNT_KINDS: a reset link, an address to confirm, a change
    told) and its one delivery: email only, due at once, whatever the person's preferences, pause
    or quiet hours, and never in the inbox. `request` names what asked for it (a uuid the caller
    made once), so a retried hand-off files it once. `address`: where it goes when not to the
    person's own address (the old address told of a change).

    The delivery goes the reminders' way (sending.py: a claim, retries, the sweep for a lost
    hand-off); its link is written when it is sent (account_emails.py), so no token is stored."""
    if kind not in policy.ACCOUNT_KINDS:
        raise ValueError(f"{kind} is not an account email")
    now = timezone.now()
    title, body = _texts(kind, {})
    notification, created = Notification.objects.get_or_create(
        user_id=user_id,
        kind=kind,
        subject=f"{kind}:{request}",
        defaults={"title": title, "body": body, "created_at": now, "fanned_out_at": now},
    )
    if not created:
        return
    delivery = Delivery.objects.create(
        notification=notification, channel=Delivery.Channel.EMAIL, target="email", address=address, due_at=now
    )
    transaction.on_commit(lambda: later.deliver([delivery.pk]), robust=True)


def fan_out(*, kind: str, subjects: list[str]) -> list[int]:
    """Make the deliveries of these events' notifications; returns the ids of those due now.

    Rows are claimed with SKIP LOCKED and marked fanned out in the same transaction, so a
    duplicated task or the sweep never makes a second set (and the unique key would refuse it).
    """
    now = timezone.now()
    with transaction.atomic():
        # Plain values, not model instances: the Sunday-evening herd fans out 200,000 of these.
        pending = [
            _Recipient.from_row(*row)
            for row in Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(kind=kind, subject__in=subjects, fanned_out_at__isnull=True)
            .values_list(
                "pk",
                "user_id",
                "deliver_after",
                "user__timezone",
                "user__email_confirmed",
                *(f"user__notification_preferences__{field}" for field in Preferences.FIELDS),
            )
        ]
        if not pending:
            return []
        subscriptions: dict[int, list[int]] = {}
        for user_id, subscription_id in PushSubscription.objects.filter(
            user_id__in={r.user_id for r in pending}
        ).values_list("user_id", "pk"):
            subscriptions.setdefault(user_id, []).append(subscription_id)
        deliveries = []
        for recipient in pending:
            deliveries += _deliveries_for(recipient, subscriptions.get(recipient.user_id, []), now)
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        notification_ids = [r.notification_id for r in pending]
        Notification.objects.filter(pk__in=notification_ids).update(fanned_out_at=now)
    due = Delivery.objects.filter(notification_id__in=notification_ids, status=Delivery.Status.PENDING, due_at__lte=now)
    return list(due.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class _Recipient:
    """A notification's person and their preferences, as `fan_out` reads them in one query.
    A person who never saved preferences has the defaults."""

    notification_id: int
    user_id: int
    deliver_after: datetime | None
    timezone: str
    email_confirmed: bool
    push: bool
    email: bool
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    paused_until: datetime | None
    signal_text: bool  # decided when a signal's notification is filed (signals.services), not here

    @classmethod
    def from_row(
        cls,
        notification_id: int,
        user_id: int,
        deliver_after: datetime | None,
        timezone: str,
        email_confirmed: bool,
        *preferences: Any,  # Preferences.FIELDS' values, in their order
    ) -> "_Recipient":
        # No preferences row: the LEFT JOIN gives NULL for every field (`push` is never null in a
        # row), and the defaults apply.
        if preferences[0] is None:
            defaults = selectors.default_preferences()
            preferences = tuple(getattr(defaults, field) for field in Preferences.FIELDS)
        return cls(notification_id, user_id, deliver_after, timezone, email_confirmed, *preferences)


def _deliveries_for(recipient: _Recipient, subscription_ids: list[int], now: datetime) -> list[Delivery]:
    if not policy.sends_outside_inbox(paused_until=recipient.paused_until, now=now):
        return []
    start = max(now, recipient.deliver_after or now)
    due_at = (
        policy.quiet_until(
            now=start, start=recipient.quiet_hours_start, end=recipient.quiet_hours_end, timezone=recipient.timezone
        )
        or start
    )
    deliveries = []
    if recipient.push:
        deliveries += [
            Delivery(
                notification_id=recipient.notification_id,
                channel=Delivery.Channel.PUSH,
                target=f"subscription:{subscription_id}",
                subscription_id=subscription_id,
                due_at=due_at,
            )
            for subscription_id in subscription_ids
        ]
    # Email only to an address the person confirmed: registering someone else's address must not
    # have Tandem write to it every week (push and the inbox do not wait for it).
    if recipient.email and recipient.email_confirmed:
        deliveries.append(
            Delivery(
                notification_id=recipient.notification_id,
                channel=Delivery.Channel.EMAIL,
                target="email",
                due_at=due_at,
            )
        )
    return deliveries


class SweepFound(TypedDict):
    events: dict[str, list[str]]  # the subjects of each kind whose fan-out was lost
    deliveries: list[int]  # deliveries due a minute ago and still pending


def sweep(*, now: datetime, batch_size: int = 1000) -> SweepFound:
    """Find the work a lost hand-off, a dead worker or quiet hours left behind."""
    grace = now - timedelta(minutes=1)
    # Sends whose worker died: their lease ran out. They are tried again.
    Delivery.objects.filter(status=Delivery.Status.SENDING, lease_until__lte=now).update(
        status=Delivery.Status.PENDING, lease_until=None
    )
    events: dict[str, list[str]] = {}
    for kind, subject in (
        Notification.objects.filter(fanned_out_at__isnull=True, created_at__lte=grace)
        .values_list("kind", "subject")
        .distinct()[:batch_size]
    ):
        events.setdefault(kind, []).append(subject)
    # Due a minute ago and still pending: its send task was lost, or it waited out quiet hours
    # or a long Retry-After. (A fresh delivery has its own task on the way.)
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, due_at__lte=grace)
        .order_by("due_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    return SweepFound(events=events, deliveries=due)


# Inbox, preferences and subscriptions


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        live.people_changed(user_ids=[notification.user_id], topics=[live.Topic.INBOX])
    return notification


def notifications_read_about(*, user: User, subjects: list[str]) -> int:
    """The person has seen what these subjects are (the app that files them knows what a subject
    names): their unread notifications about them are read. One conditional UPDATE on the unread
    index, which changes no row, and so writes nothing, when none is unread; no read before it."""
    read = Notification.objects.filter(user=user, subject__in=subjects, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if read:  # the person's other devices show the unread count; reading nothing moves nothing
        live.people_changed(user_ids=[user.pk], topics=[live.Topic.INBOX])
    return read


def notifications_unsay(*, kind: str, subjects: list[str], **words: str) -> int:
    """These events' notifications of `kind` say the kind's own words again, not a body their filer
    gave (`notify`'s `body`): a signal taken back must not stay in the inbox in its own words."""
    return Notification.objects.filter(kind=kind, subject__in=subjects).update(
        body=str(TEXTS[Notification.Kind(kind)][1]).format(**words)
    )


def notifications_mark_all_read(*, user: User) -> int:
    read = selectors.inbox_of(user=user, unread=True).update(read_at=timezone.now())
    if read:
        live.people_changed(user_ids=[user.pk], topics=[live.Topic.INBOX])
    return read


@transaction.atomic
def preferences_update(*, user: User, changes: Mapping[str, object]) -> Preferences:
    prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    for field, value in changes.items():
        setattr(prefs, field, value)
    if changes:
        prefs.save(update_fields=list(changes))
    return prefs


@transaction.atomic
def email_unsubscribe(*, user_id: int) -> bool:
    """Switch email off for the person; False when there is no such person (any more)."""
    if not get_user_model().objects.filter(pk=user_id).exists():
        return False
    prefs, _ = Preferences.objects.get_or_create(user_id=user_id)
    if prefs.email:
        prefs.email = False
        prefs.save(update_fields=["email"])
    return True


@transaction.atomic
def push_subscription_add(*, user: User, endpoint: str, p256dh: str, auth: str) -> tuple[PushSubscription, bool]:
    """Register a browser's subscription; the same endpoint again updates the one row (and moves
    it to this person, as a shared browser may change hands)."""
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription, created


def push_subscription_remove(*, subscription: PushSubscription) -> None:
    subscription.delete()


def unread_count(*, user: User) -> int:
    return selectors.inbox_of(user=user, unread=True).count()
