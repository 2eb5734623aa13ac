"""Invitations to answer (policy.INVITATIONS) lapse once answered or closed, and an email to
confirm an address once none waits: each has a check, and only they do (notifications/lapses.py;
checkin registers the invitations' at startup, notifications the confirmation's)."""

from notifications import lapses, policy
from notifications.models import Notification


def test_every_invitation_kind_and_the_confirmation_email_and_only_they_have_a_lapse_check():
    assert lapses.lapsing_kinds() == policy.INVITATIONS | {Notification.Kind.EMAIL_CONFIRM}
