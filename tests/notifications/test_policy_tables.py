"""Every kind of notification has its words, and every kind that may be pushed (all but the
account emails) its push urgency and its time to live: a new kind that misses one fails here, not
on a phone."""

import pytest

from notifications import policy
from notifications.messages import TEXTS
from notifications.models import Notification

PUSHED = set(Notification.Kind) - policy.ACCOUNT_KINDS


@pytest.mark.parametrize("table", [policy.URGENCY, policy.TTL_SECONDS], ids=["urgency", "ttl"])
def test_every_kind_that_may_be_pushed_has_an_entry_and_nothing_else_does(table):
    assert set(table) == PUSHED


def test_every_kind_has_its_words():
    assert set(TEXTS) == set(Notification.Kind)


def test_a_kind_stored_as_a_plain_string_finds_its_entries():
    for kind in PUSHED:
        assert policy.URGENCY[str(kind.value)] in {"very-low", "low", "normal", "high"}
        assert policy.TTL_SECONDS[str(kind.value)] > 0


def test_invitations_are_kinds():
    assert policy.INVITATIONS <= set(Notification.Kind)
