"""Notifications that lapse before they go out: invitations to answer (policy.INVITATIONS) once
answered or closed, the news of a signal once it was taken back or its space ended, and an email to
confirm an address once none waits. Each has a check, and only they do (notifications/lapses.py;
checkin and signals register theirs at startup, notifications the confirmation's)."""

from notifications import lapses, policy
from notifications.models import Notification


def test_every_invitation_kind_the_news_of_a_signal_and_the_confirmation_email_and_only_they_lapse():
    assert lapses.lapsing_kinds() == policy.INVITATIONS | {
        Notification.Kind.SIGNAL_SENT,
        Notification.Kind.EMAIL_CONFIRM,
    }
