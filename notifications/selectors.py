"""Reads of the inbox and of push subscriptions, scoped to their owner."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from couples.models import User
from notifications import policy
from notifications.models import Notification, Preferences, PushSubscription


def inbox_of(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The person's inbox, newest first. A message that waits (`deliver_after`: changes folded into
    one, see `notifications.services.notify_at_most_every`) joins it when its push and email go
    out, so every channel says a thing once, at the same moment. Account emails (a reset link)
    are email alone, never in the inbox."""
    waiting = Q(deliver_after__gt=timezone.now()) | Q(kind__in=policy.ACCOUNT_KINDS)
    notifications = Notification.objects.filter(user=user).exclude(waiting).order_by("-created_at", "-pk")
    if unread is True:
        notifications = notifications.filter(read_at__isnull=True)
    elif unread is False:
        notifications = notifications.filter(read_at__isnull=False)
    return notifications


def preferences_of(*, user: User) -> Preferences:
    """The user's preferences, or the defaults when they never saved any: the one place that
    decides it (the API, sending and fan_out's rows all read through here). Costs no query when the
    preferences were loaded with the user (select_related), saved or missing."""
    try:
        return user.notification_preferences
    except Preferences.DoesNotExist:
        return default_preferences(user=user)


def default_preferences(*, user: User | None = None) -> Preferences:
    """What a person who never saved preferences has: the model's defaults, unsaved."""
    return Preferences(user=user)


def push_subscriptions_of(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user)


def export_of(*, user: User) -> QuerySet[Notification]:
    """The user's inbox, oldest first, for their export."""
    return Notification.objects.filter(user=user).order_by("created_at")
