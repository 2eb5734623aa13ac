"""Passkeys, as a client sees them: adding one (its options, then the authenticator's answer), the
list, removal, and signing in with one as a password login does; every wrong answer a 400."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from couples.models import Passkey
from couples.passkeys import default_name
from tests.builders import client_for
from tests.couples.authenticator import ORIGIN, Authenticator, b64url
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADD_OPTIONS = "/api/v1/me/passkeys/options"
PASSKEYS = "/api/v1/me/passkeys"
SIGN_IN_OPTIONS = "/api/v1/auth/passkey/options"
SIGN_IN = "/api/v1/auth/passkey"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"


@pytest.fixture(autouse=True)
def _served_at_localhost(settings):
    settings.APP_BASE_URL = ORIGIN


def add_passkey(client: APIClient, authenticator: Authenticator, **body) -> dict:
    options = client.post(ADD_OPTIONS).json()
    response = client.post(PASSKEYS, {"credential": authenticator.create(options), **body}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def sign_in_answer(authenticator: Authenticator, client: APIClient | None = None, **bend) -> dict:
    options = (client or APIClient()).post(SIGN_IN_OPTIONS).json()
    return authenticator.get(options, **bend)


def refused(response, words: str) -> None:
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()["credential"])


# Adding


def test_the_options_ask_for_a_discoverable_passkey_for_this_site_and_person(person):
    options = client_for(person).post(ADD_OPTIONS).json()
    assert options["rp"] == {"id": "localhost", "name": "Tandem"}
    assert options["user"]["name"] == person.email
    assert options["user"]["displayName"] == person.display_name
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["excludeCredentials"] == []
    assert options["challenge"] and options["timeout"] == 300_000


def test_the_relying_party_id_can_be_named_in_settings(person, settings):
    settings.WEBAUTHN_RP_ID = "tandem.example"
    assert client_for(person).post(ADD_OPTIONS).json()["rp"]["id"] == "tandem.example"


def test_adding_a_passkey_answers_it_named_for_the_device(person):
    client = client_for(person)
    credential = Authenticator().create(client.post(ADD_OPTIONS).json())
    response = client.post(PASSKEYS, {"credential": credential}, format="json", HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 201, response.json()
    added = response.json()
    assert added == {
        "id": added["id"],
        "name": "Passkey on iPhone",
        "created_at": added["created_at"],
        "last_used_at": None,
    }
    assert client.get(PASSKEYS).json() == [added]


def test_a_name_given_is_kept(person):
    added = add_passkey(client_for(person), Authenticator(), name="  Work laptop  ")
    assert added["name"] == "Work laptop"


@pytest.mark.parametrize("name", ["", "x" * 61, "Two\nlines"])
def test_a_name_that_is_empty_too_long_or_has_control_characters_is_a_400(person, name):
    client = client_for(person)
    options = client.post(ADD_OPTIONS).json()
    response = client.post(PASSKEYS, {"credential": Authenticator().create(options), "name": name}, format="json")
    assert response.status_code == 400
    assert response.json()["name"]
    assert not Passkey.objects.exists()


def test_the_options_leave_out_nothing_of_the_passkeys_already_added(person):
    client = client_for(person)
    first = Authenticator()
    add_passkey(client, first)
    excluded = client.post(ADD_OPTIONS).json()["excludeCredentials"]
    assert excluded == [{"id": b64url(first.credential_id), "type": "public-key", "transports": ["internal"]}]


def test_the_same_passkey_answered_again_to_a_new_challenge_is_a_400(person):
    client = client_for(person)
    authenticator = Authenticator()
    add_passkey(client, authenticator)
    options = client.post(ADD_OPTIONS).json()
    refused(client.post(PASSKEYS, {"credential": authenticator.create(options)}, format="json"), "added already")
    assert Passkey.objects.count() == 1


def test_adding_needs_a_signed_in_person():
    assert APIClient().post(ADD_OPTIONS).status_code == 401
    assert APIClient().post(PASSKEYS, {"credential": {}}, format="json").status_code == 401
    assert APIClient().get(PASSKEYS).status_code == 401


@pytest.mark.parametrize(
    "credential, words",
    [
        ("a passkey", "Expected a dictionary"),
        ([1, 2], "Expected a dictionary"),
        ({}, "missing required id"),
        ({"id": "x", "rawId": "x", "type": "public-key", "response": {}}, "missing required clientDataJSON"),
        (
            {
                "id": "x",
                "rawId": "x",
                "type": "public-key",
                "response": {"clientDataJSON": "%%%", "attestationObject": "x"},
            },
            "not a passkey's answer",
        ),
        (
            {
                "id": "AAAA",
                "rawId": "AAAA",
                "type": "public-key",
                "response": {"clientDataJSON": b64url(b"not json"), "attestationObject": b64url(b"x")},
            },
            "clientDataJSON",
        ),
    ],
)
def test_a_credential_that_is_no_attestation_is_a_400_naming_it(person, credential, words):
    response = client_for(person).post(PASSKEYS, {"credential": credential}, format="json")
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()["credential"])


def test_an_attestation_object_that_is_not_cbor_is_a_400(person):
    client = client_for(person)
    credential = Authenticator().create(client.post(ADD_OPTIONS).json())
    credential["response"]["attestationObject"] = b64url(b"\xff\x00 not cbor")
    refused(client.post(PASSKEYS, {"credential": credential}, format="json"), "attestationObject was malformed")


def test_a_body_that_is_not_json_or_has_unknown_fields_is_a_400(person):
    client = client_for(person)
    assert client.post(PASSKEYS, "{", content_type="application/json").status_code == 400
    response = client.post(PASSKEYS, {"credential": {}, "nmae": "x"}, format="json")
    assert response.status_code == 400 and "nmae" in response.json()


def test_a_passkey_made_for_another_origin_or_site_is_a_400(person):
    client = client_for(person)
    phished = Authenticator().create(client.post(ADD_OPTIONS).json(), origin="https://tandem.example.evil")
    refused(client.post(PASSKEYS, {"credential": phished}, format="json"), "origin")
    other_site = Authenticator().create(client.post(ADD_OPTIONS).json(), rp_id="example.com")
    refused(client.post(PASSKEYS, {"credential": other_site}, format="json"), "RP ID")
    assert not Passkey.objects.exists()


def test_a_challenge_we_never_gave_is_a_400(person):
    client = client_for(person)
    options = client.post(ADD_OPTIONS).json()
    made_up = Authenticator().create(options, challenge=b64url(b"a challenge of my own choosing"))
    refused(client.post(PASSKEYS, {"credential": made_up}, format="json"), "expired or was already used")


def test_a_challenge_answers_once(person):
    client = client_for(person)
    credential = Authenticator().create(client.post(ADD_OPTIONS).json())
    assert client.post(PASSKEYS, {"credential": credential}, format="json").status_code == 201
    Passkey.objects.all().delete()
    refused(client.post(PASSKEYS, {"credential": credential}, format="json"), "expired or was already used")


def test_a_wrong_answer_uses_up_its_challenge_too(person):
    client = client_for(person)
    options = client.post(ADD_OPTIONS).json()
    authenticator = Authenticator()
    refused(
        client.post(PASSKEYS, {"credential": authenticator.create(options, origin="http://evil")}, format="json"),
        "origin",
    )
    refused(client.post(PASSKEYS, {"credential": authenticator.create(options)}, format="json"), "already used")


def test_a_challenge_is_good_for_five_minutes(person):
    client = client_for(person)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        late = Authenticator().create(client.post(ADD_OPTIONS).json())
        in_time = Authenticator().create(client.post(ADD_OPTIONS).json())
        traveller.shift(timedelta(minutes=4, seconds=50))
        assert client.post(PASSKEYS, {"credential": in_time}, format="json").status_code == 201
        traveller.shift(timedelta(seconds=20))
        refused(client.post(PASSKEYS, {"credential": late}, format="json"), "expired")


def test_a_challenge_given_to_another_person_or_for_signing_in_does_not_add_a_passkey(seats):
    bobs = Authenticator().create(seats.bob_api.post(ADD_OPTIONS).json())
    refused(seats.alice_api.post(PASSKEYS, {"credential": bobs}, format="json"), "expired or was already used")
    sign_in_options = APIClient().post(SIGN_IN_OPTIONS).json()
    from_sign_in = Authenticator().create(
        seats.alice_api.post(ADD_OPTIONS).json(), challenge=sign_in_options["challenge"]
    )
    refused(seats.alice_api.post(PASSKEYS, {"credential": from_sign_in}, format="json"), "expired or was already used")
    assert not Passkey.objects.exists()


# Signing in


def test_signing_in_with_a_passkey_answers_as_a_password_login(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    options = APIClient().post(SIGN_IN_OPTIONS).json()
    assert options["rpId"] == "localhost" and options["userVerification"] == "preferred"
    assert options["allowCredentials"] == []

    # An API client (no browser: the CSRF check is not passed) gets a token of its own.
    response = APIClient(enforce_csrf_checks=True).post(
        SIGN_IN, {"credential": authenticator.get(options)}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    password_login = (
        APIClient(enforce_csrf_checks=True)
        .post("/api/v1/auth/login", {"email": person.email, "password": PASSWORD}, format="json")
        .json()
    )
    assert body["user"] == password_login["user"]
    assert body["token"] and password_login["token"] and body["token"] != password_login["token"]  # two devices
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    listed = token_client.get(PASSKEYS).json()
    assert listed[0]["last_used_at"] is not None


def test_a_browser_passkey_sign_in_starts_a_session_only_with_a_valid_csrf_token(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)

    forged = APIClient(enforce_csrf_checks=True)
    response = forged.post(SIGN_IN, {"credential": sign_in_answer(authenticator, forged)}, format="json")
    assert response.status_code == 200 and response.json()["token"]
    assert forged.get("/api/v1/me").status_code == 401  # no session started

    browser = APIClient(enforce_csrf_checks=True)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    answer = sign_in_answer(authenticator, browser)
    assert browser.post(SIGN_IN, {"credential": answer}, format="json", HTTP_X_CSRFTOKEN=token).status_code == 200
    assert browser.get("/api/v1/me").json()["email"] == person.email


def test_a_passkey_nobody_added_is_a_400(db):
    refused(APIClient().post(SIGN_IN, {"credential": sign_in_answer(Authenticator())}, format="json"), "not known")


def test_a_removed_passkey_signs_nobody_in(person):
    client, authenticator = client_for(person), Authenticator()
    added = add_passkey(client, authenticator)
    assert client.delete(f"{PASSKEYS}/{added['id']}").status_code == 204
    assert client.get(PASSKEYS).json() == []
    refused(APIClient().post(SIGN_IN, {"credential": sign_in_answer(authenticator)}, format="json"), "not known")


def test_a_sign_in_answer_for_another_origin_or_site_is_a_400(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    phished = sign_in_answer(authenticator, origin="https://tandem.example.evil")
    refused(APIClient().post(SIGN_IN, {"credential": phished}, format="json"), "origin")
    other_site = sign_in_answer(authenticator, rp_id="example.com")
    refused(APIClient().post(SIGN_IN, {"credential": other_site}, format="json"), "RP ID")


def test_a_sign_in_answer_counts_once_and_for_five_minutes(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        answer = sign_in_answer(authenticator)
        assert APIClient().post(SIGN_IN, {"credential": answer}, format="json").status_code == 200
        refused(APIClient().post(SIGN_IN, {"credential": answer}, format="json"), "already used")
        late = sign_in_answer(authenticator)
        traveller.shift(timedelta(minutes=5, seconds=10))
        refused(APIClient().post(SIGN_IN, {"credential": late}, format="json"), "expired")


def test_a_challenge_for_adding_does_not_sign_in(person):
    client, authenticator = client_for(person), Authenticator()
    add_passkey(client, authenticator)
    add_challenge = client.post(ADD_OPTIONS).json()["challenge"]
    answer = sign_in_answer(authenticator, challenge=add_challenge)
    refused(APIClient().post(SIGN_IN, {"credential": answer}, format="json"), "expired or was already used")


def test_a_signature_that_does_not_verify_is_a_400(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    answer = sign_in_answer(authenticator)
    answer["response"]["signature"] = b64url(b"0" * 70)
    refused(APIClient().post(SIGN_IN, {"credential": answer}, format="json"), "could not be verified")


def test_a_sign_count_that_went_back_is_a_400(person):
    # A copy of the key (a cloned authenticator) counts on from an older number.
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    assert APIClient().post(SIGN_IN, {"credential": sign_in_answer(authenticator)}, format="json").status_code == 200
    authenticator.sign_count = 0
    refused(APIClient().post(SIGN_IN, {"credential": sign_in_answer(authenticator)}, format="json"), "sign count")


def test_a_passkey_that_says_it_is_another_persons_signs_nobody_in(seats):
    authenticator = Authenticator()
    add_passkey(seats.alice_api, authenticator)
    authenticator.user_handle = str(seats.bob.pk).encode()
    refused(APIClient().post(SIGN_IN, {"credential": sign_in_answer(authenticator)}, format="json"), "not known")


def test_an_inactive_account_cannot_sign_in_with_its_passkey(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    person.is_active = False
    person.save(update_fields=["is_active"])
    refused(APIClient().post(SIGN_IN, {"credential": sign_in_answer(authenticator)}, format="json"), "not known")


@pytest.mark.parametrize(
    "credential", ["x", None, {}, {"id": "AA", "rawId": "AA", "type": "public-key", "response": 1}]
)
def test_a_sign_in_body_that_is_no_assertion_is_a_400(db, credential):
    response = APIClient().post(SIGN_IN, {"credential": credential}, format="json")
    assert response.status_code == 400 and response.json()["credential"]


def test_a_user_handle_that_is_not_a_string_is_a_400(person):
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    answer = sign_in_answer(authenticator)
    answer["response"]["userHandle"] = 5
    refused(APIClient().post(SIGN_IN, {"credential": answer}, format="json"), "not a passkey's answer")


def test_the_passkey_sign_in_calls_are_limited_per_address(db):
    client = APIClient()
    statuses = [client.post(SIGN_IN_OPTIONS).status_code for _ in range(20)]
    statuses += [client.post(SIGN_IN, {"credential": {}}, format="json").status_code]
    assert statuses == [200] * 20 + [429]


# The list and removal


def test_each_person_lists_and_removes_only_their_own_passkeys(seats):
    alices = add_passkey(seats.alice_api, Authenticator())
    bobs = add_passkey(seats.bob_api, Authenticator())
    assert [p["id"] for p in seats.alice_api.get(PASSKEYS).json()] == [alices["id"]]
    assert seats.charlie_api.get(PASSKEYS).json() == []
    assert seats.alice_api.delete(f"{PASSKEYS}/{bobs['id']}").status_code == 404
    assert seats.alice_api.delete(f"{PASSKEYS}/999999").status_code == 404
    assert seats.bob_api.get(PASSKEYS).json() == [bobs]
    assert seats.alice_api.delete(f"{PASSKEYS}/{alices['id']}").status_code == 204
    assert seats.alice_api.delete(f"{PASSKEYS}/{alices['id']}").status_code == 404


def test_the_list_is_oldest_first_in_two_queries_whatever_its_length(person, django_assert_max_num_queries):
    client = client_for(person)
    added = [add_passkey(client, Authenticator()) for _ in range(3)]
    with django_assert_max_num_queries(2):  # the token, the passkeys
        listed = client.get(PASSKEYS).json()
    assert listed == added


def test_deleting_the_account_removes_its_passkeys(person):
    client = client_for(person)
    authenticator = Authenticator()
    add_passkey(client, authenticator)
    assert client.delete("/api/v1/me", {"password": PASSWORD}, format="json").status_code == 204
    assert not Passkey.objects.exists()
    refused(APIClient().post(SIGN_IN, {"credential": sign_in_answer(authenticator)}, format="json"), "not known")


def test_the_export_holds_the_passkeys_names_and_dates_but_no_key(person):
    client = client_for(person)
    authenticator = Authenticator()
    added = add_passkey(client, authenticator, name="My phone")
    export = client.get("/api/v1/me/export")
    assert export.json()["passkeys"] == [added]
    assert b64url(authenticator.credential_id) not in export.content.decode()
    other = UserFactory.create()
    assert client_for(other).get("/api/v1/me/export").json()["passkeys"] == []


# Whatever the client sends as a credential, the answer is a 400 naming it, never a 500.

_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
_SPOILED = st.one_of(_ANY_JSON, st.binary(max_size=80).map(b64url))


def _spoil(credential: dict, path: tuple[str, ...], value) -> dict:
    spoiled = {**credential, "response": dict(credential["response"])}
    holder = spoiled if len(path) == 1 else spoiled["response"]
    holder[path[-1]] = value
    return spoiled


_ADD_FIELDS = [("id",), ("rawId",), ("type",), ("authenticatorAttachment",)] + [
    ("response", name) for name in ("clientDataJSON", "attestationObject", "transports")
]
_SIGN_IN_FIELDS = [("id",), ("rawId",), ("type",)] + [
    ("response", name) for name in ("clientDataJSON", "authenticatorData", "signature", "userHandle")
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(_ADD_FIELDS), value=_SPOILED)
def test_any_spoiled_attestation_is_a_400(person, path, value):
    client = client_for(person)
    credential = _spoil(Authenticator().create(client.post(ADD_OPTIONS).json()), path, value)
    response = client.post(PASSKEYS, {"credential": credential}, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["credential"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(_SIGN_IN_FIELDS), value=_SPOILED)
def test_any_spoiled_assertion_is_a_400(person, path, value):
    cache.clear()  # the sign-in limit's counters (one cache in tests), as for every test
    Passkey.objects.all().delete()
    authenticator = Authenticator()
    add_passkey(client_for(person), authenticator)
    credential = _spoil(sign_in_answer(authenticator), path, value)
    response = APIClient().post(SIGN_IN, {"credential": credential}, format="json")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["credential"]


@pytest.mark.parametrize(
    "user_agent, name",
    [
        (IPHONE, "Passkey on iPhone"),
        ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15", "Passkey on iPad"),
        ("Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/156.0 Mobile", "Passkey on Android"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15", "Passkey on Mac"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/156.0", "Passkey on Windows"),
        ("Mozilla/5.0 (X11; CrOS x86_64 15000.0.0) Chrome/156.0", "Passkey on ChromeOS"),
        ("Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0", "Passkey on Linux"),
        ("", "Passkey"),
    ],
)
def test_a_passkey_is_named_for_the_kind_of_device_it_was_added_on(user_agent, name):
    assert default_name(user_agent) == name
