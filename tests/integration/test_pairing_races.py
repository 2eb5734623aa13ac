"""Pairing under real concurrency on PostgreSQL: separate connections pressing at the same instant."""

import pytest
from django.db import connection

from couples import services
from couples.models import Couple, Membership
from tests.factories import UserFactory
from tests.integration.processes import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_people_joining_one_code_at_the_same_instant_form_exactly_one_couple():
    assert connection.vendor == "postgresql"
    for _ in range(5):
        inviter, first, second = UserFactory.create(), UserFactory.create(), UserFactory.create()
        code = services.invite_create(user=inviter).code
        outcomes = run_at_once(
            lambda: services.couple_join(user=first, code=code),
            lambda: services.couple_join(user=second, code=code),
        )
        couples = [o for o in outcomes if isinstance(o, Couple)]
        refused = [o for o in outcomes if not isinstance(o, Couple)]
        assert len(couples) == 1, outcomes
        assert len(refused) == 1 and getattr(refused[0], "status_code", None) == 400, outcomes
        assert Membership.objects.filter(user=inviter, left_at__isnull=True).count() == 1


def test_a_person_joining_two_codes_at_the_same_instant_ends_up_in_one_couple():
    for _ in range(5):
        joiner, one, other = UserFactory.create(), UserFactory.create(), UserFactory.create()
        code_one = services.invite_create(user=one).code
        code_other = services.invite_create(user=other).code
        outcomes = run_at_once(
            lambda: services.couple_join(user=joiner, code=code_one),
            lambda: services.couple_join(user=joiner, code=code_other),
        )
        assert sum(isinstance(o, Couple) for o in outcomes) == 1, outcomes
        refused = next(o for o in outcomes if not isinstance(o, Couple))
        assert refused.status_code == 409
        assert Membership.objects.filter(user=joiner, left_at__isnull=True).count() == 1


def test_two_people_joining_each_others_codes_at_the_same_instant_form_one_couple():
    for _ in range(5):
        sam, alex = UserFactory.create(), UserFactory.create()
        code_sam = services.invite_create(user=sam).code
        code_alex = services.invite_create(user=alex).code
        outcomes = run_at_once(
            lambda: services.couple_join(user=alex, code=code_sam),
            lambda: services.couple_join(user=sam, code=code_alex),
        )
        assert sum(isinstance(o, Couple) for o in outcomes) == 1, outcomes
        refused = next(o for o in outcomes if not isinstance(o, Couple))
        # The second finds its invite gone (the first pairing removed it) or its maker paired.
        assert getattr(refused, "status_code", None) in (400, 409), outcomes
        assert Couple.objects.filter(memberships__user=sam, ended_at__isnull=True).count() == 1


def test_both_partners_leaving_at_the_same_instant_end_the_couple_once():
    from config.exceptions import Conflict

    for _ in range(5):
        sam, alex = UserFactory.create(), UserFactory.create()
        couple = services.couple_join(user=alex, code=services.invite_create(user=sam).code)
        outcomes = run_at_once(lambda: services.couple_leave(user=sam), lambda: services.couple_leave(user=alex))
        assert sum(o is None for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
        assert Membership.objects.filter(couple=couple, left_at__isnull=True).count() == 0
