"""Every kind of notification has its words, its push urgency and its time to live: a new kind
that misses one fails here, not on a phone."""

import pytest

from notifications import policy
from notifications.messages import TEXTS
from notifications.models import Notification


@pytest.mark.parametrize("table", [policy.URGENCY, policy.TTL_SECONDS, TEXTS], ids=["urgency", "ttl", "texts"])
def test_every_kind_has_an_entry_and_nothing_else_does(table):
    assert set(table) == set(Notification.Kind)


def test_a_kind_stored_as_a_plain_string_finds_its_entries():
    for kind in Notification.Kind:
        assert policy.URGENCY[str(kind.value)] in {"very-low", "low", "normal", "high"}
        assert policy.TTL_SECONDS[str(kind.value)] > 0


def test_invitations_are_kinds():
    assert policy.INVITATIONS <= set(Notification.Kind)
