"""Pairing under real concurrency on PostgreSQL: separate connections pressing at the same instant."""

import pytest
from django.db import connection

from couples import services
from couples.errors import NotPaired
from couples.models import Couple, Membership
from couples.services import Pairing
from foundation.errors import Conflict, Invalid
from tests.factories import UserFactory
from tests.integration.processes import run_at_once
from workflows import services as workflows_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_people_joining_one_code_at_the_same_instant_form_exactly_one_couple():
    assert connection.vendor == "postgresql"
    for _ in range(5):
        inviter, first, second = UserFactory.create(), UserFactory.create(), UserFactory.create()
        code = services.invite_create(user=inviter).code
        outcomes = run_at_once(
            lambda: workflows_services.couple_join(user=first, code=code),
            lambda: workflows_services.couple_join(user=second, code=code),
        )
        couples = [o for o in outcomes if isinstance(o, Pairing)]
        refused = [o for o in outcomes if not isinstance(o, Pairing)]
        assert len(couples) == 1, outcomes
        assert len(refused) == 1 and isinstance(refused[0], Invalid), outcomes
        assert Membership.objects.filter(user=inviter, left_at__isnull=True).count() == 1


def test_a_person_joining_two_codes_at_the_same_instant_ends_up_in_one_couple():
    for _ in range(5):
        joiner, one, other = UserFactory.create(), UserFactory.create(), UserFactory.create()
        code_one = services.invite_create(user=one).code
        code_other = services.invite_create(user=other).code
        outcomes = run_at_once(
            lambda: workflows_services.couple_join(user=joiner, code=code_one),
            lambda: workflows_services.couple_join(user=joiner, code=code_other),
        )
        assert sum(isinstance(o, Pairing) for o in outcomes) == 1, outcomes
        refused = next(o for o in outcomes if not isinstance(o, Pairing))
        assert isinstance(refused, Conflict)
        assert Membership.objects.filter(user=joiner, left_at__isnull=True).count() == 1


def test_two_people_joining_each_others_codes_at_the_same_instant_form_one_couple():
    for _ in range(5):
        sam, alex = UserFactory.create(), UserFactory.create()
        code_sam = services.invite_create(user=sam).code
        code_alex = services.invite_create(user=alex).code
        outcomes = run_at_once(
            lambda: workflows_services.couple_join(user=alex, code=code_sam),
            lambda: workflows_services.couple_join(user=sam, code=code_alex),
        )
        assert sum(isinstance(o, Pairing) for o in outcomes) == 1, outcomes
        refused = next(o for o in outcomes if not isinstance(o, Pairing))
        # The second finds its invite gone (the first pairing removed it) or its maker paired.
        assert isinstance(refused, Invalid | Conflict), outcomes
        assert Couple.objects.filter(memberships__user=sam, ended_at__isnull=True).count() == 1


def test_both_partners_leaving_at_the_same_instant_end_the_couple_once():
    for _ in range(5):
        sam, alex = UserFactory.create(), UserFactory.create()
        couple = workflows_services.couple_join(user=alex, code=services.invite_create(user=sam).code).couple
        outcomes = run_at_once(
            lambda: workflows_services.couple_leave(user=sam), lambda: workflows_services.couple_leave(user=alex)
        )
        assert sum(o is None for o in outcomes) == 1, outcomes
        # The second finds the couple ended: not paired any more, as its next request would.
        assert sum(isinstance(o, NotPaired) for o in outcomes) == 1, outcomes
        assert Membership.objects.filter(couple=couple, left_at__isnull=True).count() == 0
