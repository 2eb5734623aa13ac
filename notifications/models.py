"""The inbox (one Notification per person and event), its deliveries over Web Push and email,
the push subscriptions they go to, and each person's preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from notifications.kinds import Kind


class Notification(models.Model):
    Kind = Kind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What the event is about ("couple:12", "round:40"): with user and kind it names the event,
    # so a repeated hand-off never makes a second notification.
    subject = models.CharField(max_length=64)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=400)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once its deliveries exist; the tick sweeps rows still null after a lost hand-off.
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # It waits until then, in the inbox as in push and email (`notify_at_most_every`: later changes
    # fold into one message at the end of a quiet period); null: at once.
    deliver_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "subject"], name="one_notification_per_event"),
        ]
        indexes = [
            # The fan-out sweep: "notifications whose deliveries were never made".
            models.Index(
                fields=["created_at"], condition=Q(fanned_out_at__isnull=True), name="notification_fanout_idx"
            ),
            # The inbox and its unread count: "this person's notifications, newest first".
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class Preferences(models.Model):
    """How and when a person wants to hear from Tandem. Quiet hours are local wall times in the
    person's own time zone and may span midnight (22:00-07:00)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    push = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    # What a signal says goes into its notification (a lock screen, an email) only when the person
    # chose so: anyone who sees the phone may read it. Off: "Mia sent you a signal".
    signal_text = models.BooleanField(
        default=False, help_text="Show what a signal says in its notifications (push, email, inbox)"
    )

    # Every preference a person sets, the one list of them: the API shows these, and fan-out and
    # sending read them with the person (a test holds it to the fields above).
    FIELDS = ("push", "email", "quiet_hours_start", "quiet_hours_end", "paused_until", "signal_text")

    class Meta:
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_hours_start__isnull=True, quiet_hours_end__isnull=True)
                | Q(quiet_hours_start__isnull=False, quiet_hours_end__isnull=False),
                name="quiet_hours_have_both_ends_or_none",
            ),
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"


class PushSubscription(models.Model):
    """A browser's PushSubscription. The same endpoint registered twice is one subscription."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"Push subscription {self.pk} of {self.user_id}"


class Delivery(models.Model):
    """One notification on one channel to one target, sent at most once.

    The unique key (notification = person + event + subject, channel, target) means a retried,
    duplicated or redelivered task finds the row it already made instead of sending again.
    """

    class Channel(models.TextChoices):
        PUSH = "push"
        EMAIL = "email"

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for due_at (quiet hours) or a worker
        SENDING = "sending"  # claimed by a worker until lease_until
        SENT = "sent"
        FAILED = "failed"  # gave up after the last attempt, or a permanent error
        SKIPPED = "skipped"  # no longer wanted: paused, answered already, channel switched off

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # "subscription:<id>" for push, "email" for email.
    target = models.CharField(max_length=64)
    subscription = models.ForeignKey(
        PushSubscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # Where an account email goes when it is not the person's own address: the old address told
    # of a change (notifications.services.account_email_file). Empty for everything else.
    address = models.EmailField(blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(default=now)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "target"], name="one_delivery_per_channel_target"
            ),
        ]
        indexes = [
            # The sweep: "pending deliveries that are due", and "sends whose worker died".
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="delivery_due_idx"),
            models.Index(fields=["lease_until"], condition=Q(status="sending"), name="delivery_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} ({self.status})"
