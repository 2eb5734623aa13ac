"""'The user's current couple' and "the couples a person is or was in" have one owner
(couples/selectors.py): right for a person never paired, paired, whose couple ended, and paired
again since."""

import pytest

from couples import selectors
from tests.builders import pair
from tests.factories import UserFactory
from workflows import services as workflows_services

pytestmark = pytest.mark.django_db


def test_the_current_couple_follows_pairing_leaving_and_pairing_again():
    sam, alex, kim, lone = UserFactory.create(), UserFactory.create(), UserFactory.create(), UserFactory.create()
    first = pair(sam, alex)
    workflows_services.couple_leave(user=alex)
    second = pair(sam, kim)
    expected = {sam: second.pk, kim: second.pk, alex: None, lone: None}
    for person, couple_id in expected.items():
        assert selectors.current_couple_id(user=person) == couple_id
    assert selectors.current_member_ids(couple_id=first.pk) == []
    assert sorted(selectors.current_member_ids(couple_id=second.pk)) == sorted([sam.pk, kim.pk])


def test_the_couples_a_person_was_in_follow_leaving_and_pairing_again():
    sam, alex, kim, lone = UserFactory.create(), UserFactory.create(), UserFactory.create(), UserFactory.create()
    first = pair(sam, alex)
    workflows_services.couple_leave(user=alex)
    second = pair(sam, kim)
    expected = {sam: {first.pk, second.pk}, kim: {second.pk}, alex: {first.pk}, lone: set()}
    for person, couple_ids in expected.items():
        assert set(selectors.member_couple_ids(user=person)) == couple_ids
