"""The kinds of notification, plain values that the pure rules (policy.py) can key their tables by
without importing the models."""

from django.db import models


class Kind(models.TextChoices):
    ROUND_OPENED = "round_opened"
    NUDGE = "nudge"
    RESULTS_READY = "results_ready"
    DISCUSSION_OPENED = "discussion_opened"
    PARTNER_LEFT = "partner_left"
    INVITE_ACCEPTED = "invite_accepted"
    SCHEDULE_CHANGED = "schedule_changed"
    SIGNAL_SENT = "signal_sent"
    SIGNAL_REPLIED = "signal_replied"
    # Account emails (policy.ACCOUNT_KINDS): email only, never in the inbox.
    PASSWORD_RESET = "password_reset"
    EMAIL_CONFIRM = "email_confirm"
    EMAIL_CHANGED = "email_changed"
