"""Every change to the inbox, deliveries, subscriptions and preferences.

`notify` is the one way other apps tell people something. They call it inside the transaction
that makes the event happen (the round opens, the couple ends), so the inbox row commits or rolls
back with the event itself: an event is never lost to a crash between commit and hand-off, and
never told twice (one row per person, kind and subject). After commit, a fan-out task makes one
Delivery per channel and target and a send task sends each; the sweep (every minute) redoes any
hand-off a broker outage or a crash lost.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import channels, policy
from notifications.messages import TEXTS
from notifications.models import Delivery, Notification, Preferences, PushSubscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
# A claimed send that has not finished by then belongs to a worker that died: a few times the
# channels' 10-second network timeouts, so a slow send that is still running is never taken over.
SEND_LEASE = timedelta(seconds=60)


def notify(*, user_ids: Iterable[int], kind: str, subject: str, data: dict | None = None, **words: str) -> None:
    """File one notification of `kind` about `subject` for each person; repeats change nothing.

    `words` fill the placeholders of the text (a display name): never a rating or a note.
    """
    notify_each(kind=kind, recipients=[(user_id, subject) for user_id in user_ids], data=data, **words)


def notify_each(*, kind: str, recipients: list[tuple[int, str]], data: dict | None = None, **words: str) -> None:
    """`notify` for many events of one kind at once: (user id, subject) pairs, in a few queries
    whatever their number (the tick opens hundreds of rounds in one batch)."""
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
    title, body = (str(text).format(**words) for text in TEXTS[kind])
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id, kind=kind, subject=subject, title=title, body=body, data=data or {}, created_at=now
            )
            for user_id, subject in filed
        ],
        ignore_conflicts=True,
    )
    from notifications import tasks

    subjects = sorted({subject for _, subject in filed})
    # `robust`: a broker outage must not fail the request that caused the event; the sweep
    # fans out whatever was never handed off.
    transaction.on_commit(lambda: tasks.fan_out.delay(kind, subjects), robust=True)


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
            .values_list("pk", "user_id", "user__timezone", *(f"user__notification_preferences__{f}" for f in _PREFS))
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


_PREFS = ("push", "email", "quiet_hours_start", "quiet_hours_end", "paused_until")


@dataclass(frozen=True)
class _Recipient:
    """A notification's person and their preferences, as `fan_out` reads them in one query.
    A person who never saved preferences has the defaults."""

    notification_id: int
    user_id: int
    timezone: str
    push: bool
    email: bool
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    paused_until: datetime | None

    @classmethod
    def from_row(cls, notification_id, user_id, timezone, push, email, *rest) -> "_Recipient":
        # No preferences row: the LEFT JOIN gives NULL for every field, and the defaults apply.
        if push is None:
            defaults = Preferences()
            push, email = defaults.push, defaults.email
        return cls(notification_id, user_id, timezone, push, email, *rest)


def _preferences(user) -> Preferences:
    try:
        return user.notification_preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)


def _deliveries_for(recipient: _Recipient, subscription_ids: list[int], now: datetime) -> list[Delivery]:
    if not policy.sends_outside_inbox(paused_until=recipient.paused_until, now=now):
        return []
    due_at = (
        policy.quiet_until(
            now=now, start=recipient.quiet_hours_start, end=recipient.quiet_hours_end, timezone=recipient.timezone
        )
        or now
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
    if recipient.email:
        deliveries.append(
            Delivery(
                notification_id=recipient.notification_id,
                channel=Delivery.Channel.EMAIL,
                target="email",
                due_at=due_at,
            )
        )
    return deliveries


@dataclass(frozen=True)
class Attempt:
    """What happened to one send: `retry_in` seconds when it should be tried again soon."""

    status: str
    retry_in: float | None = None


def delivery_send(*, delivery_id: int) -> Attempt:
    return deliveries_send(delivery_ids=[delivery_id])[delivery_id]


def deliveries_send(*, delivery_ids: list[int]) -> dict[int, Attempt]:
    """Send each delivery that is still due and wanted, and record what happened to each.

    What the sends need (the notification, its person and their preferences, the subscription,
    whether an invitation's round still awaits them) is read once for the whole batch. Each
    send then claims its own row just before it goes out (pending and due -> sending, with a
    lease), a conditional update: of two workers given the same delivery, one sends and the
    other finds nothing to do. A claim per send, not one for the batch, so a slow batch never
    outlives a lease. A worker that dies mid-send leaves its lease to expire; the redelivered
    task (or the sweep) then claims the row again. A push service that never answered never
    accepted the message, so it is resent.
    """
    loaded = {
        delivery.pk: delivery
        for delivery in Delivery.objects.select_related(
            "notification__user__notification_preferences", "subscription"
        ).filter(pk__in=delivery_ids)
    }
    awaiting = _invitations_awaiting_answer(loaded.values())
    attempts = {}
    for delivery_id in delivery_ids:
        delivery = loaded.get(delivery_id)
        attempts[delivery_id] = _send(delivery, awaiting) if delivery else Attempt(status="not_due")
    return attempts


def _claim(delivery: Delivery, now: datetime) -> bool:
    claimable = Q(status=Delivery.Status.PENDING, due_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lte=now
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery.pk).update(
        status=Delivery.Status.SENDING, lease_until=now + SEND_LEASE, attempts=F("attempts") + 1
    )
    if claimed:
        # The row as the claim left it (read with the batch, moments ago).
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
    return bool(claimed)


def _send(delivery: Delivery, awaiting: set[tuple[int, int]]) -> Attempt:
    now = timezone.now()
    if not _claim(delivery, now):
        return Attempt(status="not_due")
    reason = _no_longer_wanted(delivery, now, awaiting)
    if reason:
        _finish(delivery, Delivery.Status.SKIPPED, reason)
        return Attempt(status=Delivery.Status.SKIPPED)
    deferred_to = _quiet_until(delivery, now)
    if deferred_to:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, due_at=deferred_to, lease_until=None, attempts=delivery.attempts - 1
        )
        return Attempt(status="deferred")
    try:
        channels.CHANNELS[delivery.channel].send(delivery)
    except channels.PermanentError as error:
        _finish(delivery, Delivery.Status.FAILED, str(error))
        return Attempt(status=Delivery.Status.FAILED)
    except channels.TemporaryError as error:
        return _retry_later(delivery, error, now)
    except Exception as error:
        # Whatever a channel's library raises that it did not foresee is this one delivery's
        # failure, tried again within the attempt limit, never the batch's: a poisoned row must
        # not hold up the other reminders sent with it. The type only: the text may quote data.
        log.warning("delivery %s (%s) raised %s", delivery.pk, delivery.channel, type(error).__name__)
        return _retry_later(delivery, channels.TemporaryError(f"unexpected {type(error).__name__}"), now)
    _finish(delivery, Delivery.Status.SENT, "", sent_at=timezone.now())
    return Attempt(status=Delivery.Status.SENT)


def _finish(delivery: Delivery, status: str, error: str, sent_at: datetime | None = None) -> None:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status, last_error=error[:300], sent_at=sent_at, lease_until=None
    )
    if status == Delivery.Status.FAILED:
        log.warning("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, error)


def _retry_later(delivery: Delivery, error: channels.TemporaryError, now: datetime) -> Attempt:
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, Delivery.Status.FAILED, f"gave up after {delivery.attempts} attempts: {error}")
        return Attempt(status=Delivery.Status.FAILED)
    backoff = BACKOFF_BASE_SECONDS * 2 ** (delivery.attempts - 1)
    delay = max(error.retry_after or 0, backoff)
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING,
        due_at=now + timedelta(seconds=delay),
        lease_until=None,
        last_error=str(error)[:300],
    )
    # Short waits ride on a Celery countdown; longer ones (beyond what the broker's visibility
    # timeout allows) are left to the sweep, which finds the row when it falls due.
    return Attempt(status="retry", retry_in=delay if delay <= settings.MAX_TASK_DELAY_SECONDS else None)


def _invitations_awaiting_answer(deliveries) -> set[tuple[int, int]]:
    """(round id, person) of the batch's invitations whose round is open and unanswered by them."""
    from checkin.selectors import rounds_awaiting_answers

    invited = {
        (_round_id(delivery.notification), delivery.notification.user_id)
        for delivery in deliveries
        if delivery.notification.kind in policy.INVITATIONS
    }
    return rounds_awaiting_answers(invited) if invited else set()


def _round_id(notification: Notification) -> int:
    return int(notification.subject.split(":", 1)[1])


def _no_longer_wanted(delivery: Delivery, now: datetime, awaiting: set[tuple[int, int]]) -> str:
    notification = delivery.notification
    prefs = _preferences(notification.user)
    if not policy.sends_outside_inbox(paused_until=prefs.paused_until, now=now):
        return "paused"
    if delivery.channel == Delivery.Channel.PUSH and not prefs.push:
        return "push switched off"
    if delivery.channel == Delivery.Channel.EMAIL and not prefs.email:
        return "email switched off"
    if notification.kind in policy.INVITATIONS and (_round_id(notification), notification.user_id) not in awaiting:
        # A nudge stops by itself once the person has answered or the round has closed.
        return "answered or closed"
    return ""


def _quiet_until(delivery: Delivery, now: datetime) -> datetime | None:
    user = delivery.notification.user
    prefs = _preferences(user)
    return policy.quiet_until(now=now, start=prefs.quiet_hours_start, end=prefs.quiet_hours_end, timezone=user.timezone)


def sweep(*, now: datetime, batch_size: int = 1000) -> dict:
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
    return {"events": events, "deliveries": due}


# Inbox, preferences and subscriptions


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, user, changes: dict) -> Preferences:
    prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    for field, value in changes.items():
        setattr(prefs, field, value)
    if changes:
        prefs.save(update_fields=list(changes))
    return prefs


def email_unsubscribe(*, user_id: int) -> bool:
    prefs, _ = Preferences.objects.get_or_create(user_id=user_id)
    if prefs.email:
        prefs.email = False
        prefs.save(update_fields=["email"])
    return True


@transaction.atomic
def push_subscription_add(*, user, endpoint: str, p256dh: str, auth: str) -> tuple[PushSubscription, bool]:
    """Register a browser's subscription; the same endpoint again updates the one row (and moves
    it to this person, as a shared browser may change hands)."""
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth}
    )
    return subscription, created


def push_subscription_remove(*, subscription: PushSubscription) -> None:
    subscription.delete()


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
