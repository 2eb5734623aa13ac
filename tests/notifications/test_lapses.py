"""Invitations to answer (policy.INVITATIONS) lapse once answered or closed: each has a check, and
only they do (notifications/lapses.py; checkin registers them at startup)."""

from notifications import lapses, policy


def test_every_invitation_kind_and_only_they_have_a_lapse_check():
    assert lapses.lapsing_kinds() == policy.INVITATIONS
