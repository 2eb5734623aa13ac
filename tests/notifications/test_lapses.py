"""Notifications that lapse before they go out: invitations to answer (policy.INVITATIONS) once
answered or closed, and the news of a signal once it was taken back or its space ended. Each has a
check, and only they do (notifications/lapses.py; checkin and signals register them at startup)."""

from notifications import lapses, policy
from notifications.models import Notification


def test_every_invitation_kind_and_the_news_of_a_signal_and_only_they_have_a_lapse_check():
    assert lapses.lapsing_kinds() == policy.INVITATIONS | {Notification.Kind.SIGNAL_SENT}
