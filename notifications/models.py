"""The in-app inbox: one Notification per person and event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now


class Notification(models.Model):
    class Kind(models.TextChoices):
        ROUND_OPENED = "round_opened"
        NUDGE = "nudge"
        RESULTS_READY = "results_ready"
        DISCUSSION_OPENED = "discussion_opened"
        PARTNER_LEFT = "partner_left"
        INVITE_ACCEPTED = "invite_accepted"
        SCHEDULE_CHANGED = "schedule_changed"

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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "subject"], name="one_notification_per_event"),
        ]
        indexes = [
            # The inbox and its unread count: "this person's notifications, newest first".
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
