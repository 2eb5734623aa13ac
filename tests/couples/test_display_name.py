"""A display name is 1 to 60 characters with no control characters, wherever it comes in: it is
printed into the partner's emails and pushes, where a line break would start a line of its own."""

import importlib
import unicodedata

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from couples.models import User
from tests.builders import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REFUSED = {"Cc", "Cs", "Zl", "Zp"}
BAD_NAMES = ["Sam\nBcc: all@example.com", "Sam\r\nGo to http://evil.example", "\tSam", "Sam\x1b[31m", "Sam\u2028x"]


def register(name: str):
    body = {"email": "new@example.com", "password": "a long enough passphrase", "display_name": name}
    return APIClient().post("/api/v1/auth/register", body, format="json")


@pytest.mark.parametrize("name", [*BAD_NAMES, "x" * 61, "", "   "])
def test_registering_with_a_name_that_breaks_the_rule_is_a_400_naming_it(name):
    response = register(name)
    assert response.status_code == 400
    assert list(response.json()) == ["display_name"]
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("name", ["x" * 60, "Zoë 👨\u200d👩\u200d👧", "S"])
def test_a_name_of_1_to_60_printable_characters_is_kept_as_given(name):
    response = register(name)
    assert response.status_code == 201
    assert User.objects.get(email="new@example.com").display_name == name


@pytest.mark.parametrize("name", [*BAD_NAMES, "x" * 61])
def test_changing_my_name_to_one_that_breaks_the_rule_is_a_400_and_changes_nothing(person, name):
    before = person.display_name
    response = client_for(person).patch("/api/v1/me", {"display_name": name}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["display_name"]
    person.refresh_from_db()
    assert person.display_name == before


names = st.text(st.characters(codec="utf-8"), max_size=70) | st.text(
    st.characters(categories=["Cc", "Zl", "Zp", "Lu", "Zs"]), max_size=8
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
@example(name="Sam\n")
@example(name="\x85Sam")
def test_any_name_is_either_stored_without_control_characters_or_refused_naming_the_field(person, name):
    before = User.objects.get(pk=person.pk).display_name
    response = client_for(person).patch("/api/v1/me", {"display_name": name}, format="json")
    stored = User.objects.get(pk=person.pk).display_name
    has_refused = any(unicodedata.category(ch) in REFUSED for ch in name)
    if has_refused or not 1 <= len(name.strip()) <= 60:
        assert response.status_code == 400 and list(response.json()) == ["display_name"]
        assert stored == before
    else:
        assert response.status_code == 200
        assert stored == name.strip() == response.json()["display_name"]


def test_the_admin_and_full_clean_refuse_a_name_with_a_line_break():
    user = UserFactory.build(display_name="Sam\nBcc: all@example.com")
    with pytest.raises(ValidationError) as refused:
        user.full_clean(exclude=["password"])
    assert list(refused.value.message_dict) == ["display_name"]


def test_names_stored_before_the_rule_lose_their_control_characters():
    migration = importlib.import_module("couples.migrations.0002_display_name_60_characters_no_control_characters")
    kept = UserFactory.create(display_name="Zoë 👨\u200d👩\u200d👧")
    broken = UserFactory.create(display_name="Sam\r\nBcc: all@example.com\u2028")
    empty = UserFactory.create(display_name="\n\t")
    migration.names_without_control_characters(apps, None)
    kept_before = kept.display_name
    for user in (kept, broken, empty):
        user.refresh_from_db()
    assert kept.display_name == kept_before
    assert broken.display_name == "Sam Bcc: all@example.com"
    assert empty.display_name == "Someone"
