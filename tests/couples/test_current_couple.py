"""'The user's current couple' has one owner (couples/selectors.py): the ORM subquery every read
and write filters by, and its written-out SQL twin for the statements written out. The two give the
same couple for a person never paired, paired, whose couple ended, and paired again since. So do
the two spellings of "the couples a person is or was in"."""

import pytest
from django.db import connection

from couples import selectors
from couples.models import User
from tests.builders import pair
from tests.factories import UserFactory
from workflows import services as workflows_services

pytestmark = pytest.mark.django_db


def _couples_by_sql(sql: str, user: User) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user_id": user.pk})
        return {row[0] for row in cursor.fetchall()}


def _by_sql(user: User) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(selectors.CURRENT_COUPLE_SQL, {"user_id": user.pk})
        rows = cursor.fetchall()
    assert len(rows) <= 1
    return rows[0][0] if rows else None


def test_the_orm_and_the_sql_of_the_current_couple_agree_through_pairing_leaving_and_pairing_again():
    sam, alex, kim, lone = UserFactory.create(), UserFactory.create(), UserFactory.create(), UserFactory.create()
    first = pair(sam, alex)
    workflows_services.couple_leave(user=alex)
    second = pair(sam, kim)
    expected = {sam: second.pk, kim: second.pk, alex: None, lone: None}
    for person, couple_id in expected.items():
        assert selectors.current_couple_id(user=person) == couple_id
        assert _by_sql(person) == couple_id
    assert selectors.current_member_ids(couple_id=first.pk) == []
    assert sorted(selectors.current_member_ids(couple_id=second.pk)) == sorted([sam.pk, kim.pk])


def test_the_orm_and_the_sql_of_the_couples_a_person_was_in_agree_through_leaving_and_pairing_again():
    sam, alex, kim, lone = UserFactory.create(), UserFactory.create(), UserFactory.create(), UserFactory.create()
    first = pair(sam, alex)
    workflows_services.couple_leave(user=alex)
    second = pair(sam, kim)
    expected = {sam: {first.pk, second.pk}, kim: {second.pk}, alex: {first.pk}, lone: set()}
    for person, couple_ids in expected.items():
        assert set(selectors.member_couple_ids(user=person)) == couple_ids
        assert _couples_by_sql(selectors.MEMBER_COUPLES_SQL, person) == couple_ids
