"""Sending deliveries: claim them, drop those no longer wanted, defer those in quiet hours, send
the rest and record what happened to each (`deliveries_send`, which the deliver tasks call).

A batch is claimed in one transaction (the rows that are due, or whose lease ran out, locked with
SKIP LOCKED and leased in one update); its pushes are in flight at once on a pool of threads while
its emails go out one after another over one SMTP connection; the outcomes are written with one
update per outcome (sent, skipped, each failure or retry on its own row, as each has its own
error and due time).

Why it is safe: a claim leases the row (pending and due -> sending until `lease_until`), so of
two workers given the same delivery only one sends; a worker that dies leaves its lease to run out
and the sweep or the redelivered task claims the row again. A batch is over well within its lease
(all its pushes are in flight at once, each within the channels' network timeout; the emails stop
and hand back what is left once half the lease is gone), so no lease runs out on a send that is
still under way. Threads only talk to the outside world (notifications/channels.py): every row is
read and written by the calling thread, which writes down finished sends as they come while the
others are still on their way. A query on a sending thread raises (`_without_database`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from foundation import metrics
from notifications import channels, lapses, policy, selectors
from notifications.models import Delivery, Notification, Preferences, PushSubscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
# A claimed send that has not finished by then belongs to a worker that died: a few times the
# channels' 10-second network timeouts, so a slow send that is still running is never taken over.
SEND_LEASE = timedelta(seconds=60)
# Pushes in flight at once, per worker process: a batch's pushes (about half of its
# deliveries, see notifications/tasks.py) all wait on their push services together instead of one
# after another. The threads spend their time waiting, not computing, so 100 of them cost little.
# A batch of more pushes than this sends them in two waves, still well within its lease.
PUSHES_IN_FLIGHT = 100


@dataclass(frozen=True)
class Attempt:
    """What happened to one send: `retry_in` seconds when it should be tried again soon."""

    status: str
    retry_in: float | None = None


# What the rules and the channels read of a delivery, and nothing else: every field loaded is
# decoded for every row of every batch (the person's password hash, the notification's JSON data
# are not needed). A field read but not listed here would cost a query per delivery:
# tests/notifications/test_batch_reads.py counts the reads of a batch.
_READ = (
    "channel",
    "status",
    "attempts",
    "notification__kind",
    "notification__subject",
    "notification__title",
    "notification__body",
    "notification__user__email",
    "notification__user__timezone",
    "notification__user__email_confirmed",
    "notification__user__pending_email",
    "address",
    *(f"notification__user__notification_preferences__{field}" for field in Preferences.FIELDS),
    "subscription__endpoint",
    "subscription__p256dh",
    "subscription__auth",
)


def _loaded(queryset: QuerySet[Delivery]) -> list[Delivery]:
    deliveries = list(
        queryset.select_related("notification__user__notification_preferences", "subscription").only(*_READ)
    )
    _with_what_reset_links_hash(deliveries)
    return deliveries


def _with_what_reset_links_hash(deliveries: list[Delivery]) -> None:
    """A reset email's link holds a token made as it is written, from the person's password hash
    and last login (couples/account_links.py): those are read for the batch's reset emails alone,
    in one query and only when it has any, so the reminders never carry them."""
    resets = [d.notification.user for d in deliveries if d.notification.kind == Notification.Kind.PASSWORD_RESET]
    if not resets:
        return
    known = {
        pk: (password, last_login)
        for pk, password, last_login in get_user_model()
        .objects.filter(pk__in={user.pk for user in resets})
        .values_list("pk", "password", "last_login")
    }
    for user in resets:
        user.password, user.last_login = known[user.pk]


def _claimable(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, due_at__lte=now) | Q(status=Delivery.Status.SENDING, lease_until__lte=now)


def _invitations_awaiting_answer(deliveries: Iterable[Delivery]) -> set[int]:
    """The ids of the batch's notifications that may lapse (an invitation to answer, an address to
    confirm) and have not."""
    return lapses.still_wanted(delivery.notification for delivery in deliveries)


# The rules below take the person's preferences read once per delivery (`selectors.preferences_of`:
# the defaults for someone who never saved any).


def _no_longer_wanted(delivery: Delivery, prefs: Preferences, now: datetime, awaiting: set[int]) -> str:
    notification = delivery.notification
    if notification.kind in policy.ACCOUNT_KINDS:
        # Whatever the preferences: a reset link is asked for and waited on.
        lapsed = lapses.may_lapse(notification.kind) and notification.pk not in awaiting
        return lapses.reason(notification.kind) if lapsed else ""
    if not policy.sends_outside_inbox(paused_until=prefs.paused_until, now=now):
        return "paused"
    if delivery.channel == Delivery.Channel.PUSH and not prefs.push:
        return "push switched off"
    if delivery.channel == Delivery.Channel.EMAIL and not prefs.email:
        return "email switched off"
    if lapses.may_lapse(notification.kind) and notification.pk not in awaiting:
        # A nudge stops by itself once the person has answered or the round has closed.
        return lapses.reason(notification.kind)
    return ""


def _quiet_until(delivery: Delivery, prefs: Preferences, now: datetime) -> datetime | None:
    if delivery.notification.kind in policy.ACCOUNT_KINDS:
        return None  # a reset link must arrive while the person waits for it
    user = delivery.notification.user
    return policy.quiet_until(now=now, start=prefs.quiet_hours_start, end=prefs.quiet_hours_end, timezone=user.timezone)


def _defer(delivery: Delivery, until: datetime) -> Attempt:
    # Quiet hours are not an attempt: the count the claim added is given back.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING, due_at=until, lease_until=None, attempts=delivery.attempts - 1
    )
    return Attempt(status="deferred")


def _finish(delivery_ids: list[int], status: str, error: str, sent_at: datetime | None = None) -> None:
    Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.SENDING).update(
        status=status, last_error=error[:300], sent_at=sent_at, lease_until=None
    )


def _failed(delivery: Delivery, error: Exception, now: datetime) -> Attempt:
    """Record a send that did not go out: for good, or to be tried again later."""
    if isinstance(error, channels.SubscriptionGone):
        # The browser unsubscribed or the subscription expired: forget it.
        PushSubscription.objects.filter(pk=error.subscription_id).delete()
    if isinstance(error, channels.PermanentError):
        _finish([delivery.pk], Delivery.Status.FAILED, str(error))
        gone = isinstance(error, channels.SubscriptionGone)
        metrics.delivery_counted(channel=delivery.channel, outcome="gone" if gone else "failed")
        log.warning("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, error)
        return Attempt(status=Delivery.Status.FAILED)
    if not isinstance(error, channels.TemporaryError):
        # Whatever a channel's library raises that it did not foresee is this one delivery's
        # failure, tried again within the attempt limit, never the batch's: a poisoned row must
        # not hold up the other reminders sent with it. The type only: the text may quote data.
        log.warning("delivery %s (%s) raised %s", delivery.pk, delivery.channel, type(error).__name__)
        error = channels.TemporaryError(f"unexpected {type(error).__name__}")
    return _retry_later(delivery, error, now)


def _retry_later(delivery: Delivery, error: channels.TemporaryError, now: datetime) -> Attempt:
    if delivery.attempts >= MAX_ATTEMPTS:
        message = f"gave up after {delivery.attempts} attempts: {error}"
        _finish([delivery.pk], Delivery.Status.FAILED, message)
        metrics.delivery_counted(channel=delivery.channel, outcome="failed")
        log.warning("delivery %s (%s) failed for good: %s", delivery.pk, delivery.channel, message)
        return Attempt(status=Delivery.Status.FAILED)
    backoff = BACKOFF_BASE_SECONDS * 2 ** (delivery.attempts - 1)
    delay = max(error.retry_after or 0, backoff)
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.PENDING,
        due_at=now + timedelta(seconds=delay),
        lease_until=None,
        last_error=str(error)[:300],
    )
    metrics.delivery_counted(channel=delivery.channel, outcome="retried")
    # Short waits ride on a Celery countdown; longer ones (beyond what the broker's visibility
    # timeout allows) are left to the sweep, which finds the row when it falls due.
    return Attempt(status="retry", retry_in=delay if delay <= settings.MAX_TASK_DELAY_SECONDS else None)


def _send_now(delivery: Delivery) -> Exception | None:
    """Send one delivery over its channel; the error it ended with, or None once it went out."""
    try:
        channels.CHANNELS[delivery.channel].send(delivery)
    except Exception as error:  # each kind is recorded by `_failed`
        return error
    return None


class QueryInSendingThread(Exception):
    """A channel read something of a delivery that the batch did not load (`_READ`)."""


def _refuse_queries(
    execute: Callable[..., object], sql: str, params: object, many: bool, context: dict[str, Any]
) -> NoReturn:
    raise QueryInSendingThread("a send ran a query on a sending thread: add the field it reads to sending._READ")


def _without_database(send: Callable[..., Exception | None], *args: object) -> Exception | None:
    """Run `send` on a pool thread with no database. A field the batch did not load would be read
    with a query on this thread's own connection, one per delivery and never closed (the thread
    outlives the task); instead the query raises, so the delivery fails and is tried again, and
    the connection opened for it is closed."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.execute_wrapper(_refuse_queries):
            return send(*args)
    finally:
        connection.close()


# How often the batch writes down the sends that have finished. A worker that dies can have a
# message accepted but not yet recorded as sent, and it is sent again after its lease; recording
# often keeps that window short, while one update covers the many sends that finish together.
RECORD_EVERY_SECONDS = 0.05

_pools: dict[str, ThreadPoolExecutor] = {}
_pools_pid: int | None = None


def _pool(name: str, threads: int) -> ThreadPoolExecutor:
    """This process's threads for a channel (made again after a fork: threads do not survive one)."""
    global _pools_pid
    if _pools_pid != os.getpid():
        _pools.clear()
        _pools_pid = os.getpid()
    if name not in _pools:
        _pools[name] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
    return _pools[name]


class _HandedBack(Exception):
    """Not sent: the batch ran long and left this delivery to another task before its lease ended."""


def delivery_send(*, delivery_id: int) -> Attempt:
    """`deliveries_send` for one delivery (a retry that fell due)."""
    return deliveries_send(delivery_ids=[delivery_id])[delivery_id]


def deliveries_send(*, delivery_ids: list[int]) -> dict[int, Attempt]:
    """Send each delivery that is still due and wanted, and record what happened to each: claimed
    with a lease so that nothing is sent twice, skipped when no longer wanted, deferred past quiet
    hours, retried with backoff. Deliveries not due (sent already, leased by another worker) are
    `not_due`; the sends wait on the outside world together, in a few round trips to the database."""
    now = timezone.now()
    attempts = {delivery_id: Attempt(status="not_due") for delivery_id in delivery_ids}
    with transaction.atomic():
        claimed = _loaded(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_claimable(now), pk__in=delivery_ids)
            .order_by("pk")
        )
        if not claimed:
            return attempts
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            status=Delivery.Status.SENDING, lease_until=now + SEND_LEASE, attempts=F("attempts") + 1
        )
    claimed_at = time.monotonic()
    for delivery in claimed:
        delivery.status, delivery.attempts = Delivery.Status.SENDING, delivery.attempts + 1

    awaiting = _invitations_awaiting_answer(claimed)
    skipped: dict[str, list[int]] = {}
    pushes: list[Delivery] = []
    emails: list[Delivery] = []
    for delivery in claimed:
        prefs = selectors.preferences_of(user=delivery.notification.user)
        reason = _no_longer_wanted(delivery, prefs, now, awaiting)
        if reason:
            skipped.setdefault(reason, []).append(delivery.pk)
            attempts[delivery.pk] = Attempt(status=Delivery.Status.SKIPPED)
            metrics.delivery_counted(channel=delivery.channel, outcome="skipped")
            continue
        deferred_to = _quiet_until(delivery, prefs, now)
        if deferred_to:
            attempts[delivery.pk] = _defer(delivery, deferred_to)
            continue
        (pushes if delivery.channel == Delivery.Channel.PUSH else emails).append(delivery)
    for reason, skipped_ids in skipped.items():
        _finish(skipped_ids, Delivery.Status.SKIPPED, reason)

    # Pushes wait on their push services together; emails go out one after another on a thread of
    # their own over one connection, at the same time, so neither waits behind the other. This
    # thread only records.
    in_flight = {
        _pool("push", PUSHES_IN_FLIGHT).submit(_without_database, _send_now, delivery): delivery for delivery in pushes
    }
    if emails:
        email_thread = _pool("email", 1)
        connection = channels.email_connection()
        deadline = claimed_at + SEND_LEASE.total_seconds() / 2
        for delivery in emails:
            in_flight[email_thread.submit(_without_database, _send_email, delivery, connection, deadline)] = delivery
        email_thread.submit(channels.close_quietly, connection)
    pending = set(in_flight)
    while pending:
        done, pending = wait(pending, timeout=RECORD_EVERY_SECONDS)
        finished = [(in_flight[future], future.result()) for future in done]
        sent = [delivery.pk for delivery, error in finished if error is None]
        if sent:
            _finish(sent, Delivery.Status.SENT, "", sent_at=timezone.now())
            for delivery, error in finished:
                if error is None:
                    metrics.delivery_counted(channel=delivery.channel, outcome="sent")
            attempts.update({delivery_id: Attempt(status=Delivery.Status.SENT) for delivery_id in sent})
        for delivery, error in finished:
            if isinstance(error, _HandedBack):
                Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
                    status=Delivery.Status.PENDING, lease_until=None, attempts=delivery.attempts - 1
                )
                attempts[delivery.pk] = Attempt(status="retry", retry_in=0)
            elif error is not None:
                attempts[delivery.pk] = _failed(delivery, error, now)
    return attempts


def _send_email(delivery: Delivery, connection: BaseEmailBackend, deadline: float) -> Exception | None:
    """One email of the batch over the batch's connection; past `deadline` (monotonic) it is handed
    back unsent rather than outlive its lease (a mail server that takes its time over each)."""
    if time.monotonic() > deadline:
        return _HandedBack()
    try:
        cast(channels.EmailChannel, channels.CHANNELS[Delivery.Channel.EMAIL]).send(delivery, connection=connection)
    except Exception as error:  # each kind is recorded by `_failed`
        return error
    return None
