"""Signals under real concurrency on PostgreSQL: separate connections pressing at the same instant
keep the limit of 5 a day, one current space per person, and one reply per signal."""

import pytest

from foundation.errors import TooMany
from signals import services
from signals.errors import AlreadyReplied
from signals.models import Signal
from tests.builders import a_couple
from tests.integration.processes import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def partners():
    couple = a_couple()
    first, second = (m.user for m in couple.memberships.select_related("user").order_by("seat"))
    return first, second


def test_seven_signals_at_the_same_instant_send_five_and_refuse_two_with_a_429():
    sender, _ = partners()
    outcomes = run_at_once(*[lambda: services.signal_send(user=sender, kind="thanks") for _ in range(7)])

    assert sum(isinstance(o, Signal) for o in outcomes) == 5, outcomes
    assert sum(isinstance(o, TooMany) for o in outcomes) == 2, outcomes
    assert Signal.objects.filter(sender=sender).count() == 5


def two_spaces_at_once() -> None:
    sender, _ = partners()
    outcomes = run_at_once(*[lambda: services.signal_send(user=sender, kind="space") for _ in range(2)])

    assert all(isinstance(o, Signal) for o in outcomes), outcomes
    assert Signal.objects.filter(sender=sender, kind="space", ended_at__isnull=True).count() == 1


def test_two_spaces_at_the_same_instant_leave_one_current_space():
    for _ in range(3):
        two_spaces_at_once()


def two_replies_at_once() -> None:
    sender, partner = partners()
    invitation = services.signal_send(user=sender, kind="invite")
    outcomes = run_at_once(
        lambda: services.signal_reply(user=partner, signal_id=invitation.pk, reply="yes"),
        lambda: services.signal_reply(user=partner, signal_id=invitation.pk, reply="not_now"),
    )

    kept = [o for o in outcomes if isinstance(o, Signal)]
    assert len(kept) == 1 and sum(isinstance(o, AlreadyReplied) for o in outcomes) == 1, outcomes
    invitation.refresh_from_db()
    assert invitation.reply == kept[0].reply


def test_two_replies_at_the_same_instant_keep_the_first_and_refuse_the_second():
    for _ in range(3):
        two_replies_at_once()
