"""The limits on register, login and join hold against a client that lies about its address, and
password guessing is bounded per account whatever the number of addresses."""

from ipaddress import ip_network

import pytest
from rest_framework.test import APIClient

from couples.throttles import client_address
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
PROXY = "10.0.0.5"


def login(client: APIClient, email: str, password: str = "wrong", **headers) -> int:
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **headers).status_code


def test_made_up_forwarded_for_addresses_do_not_escape_the_login_limit_by_default(person):
    client = APIClient()
    statuses = [login(client, f"nobody{i}@example.com", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}") for i in range(30)]
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    assert login(client, person.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200") == 429


def test_behind_a_named_proxy_each_client_address_is_counted_apart(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    client = APIClient(REMOTE_ADDR=PROXY)
    # Thirty clients behind the proxy, one wrong password each: none is held up by the others.
    others = [login(client, f"nobody{i}@example.com", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}") for i in range(30)]
    assert set(others) == {400}
    # One client, whatever it claims to the left of what the proxy appended, is one address.
    claims = [
        login(client, f"again{i}@example.com", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7") for i in range(11)
    ]
    assert claims[:10] == [400] * 10
    assert claims[10] == 429


@pytest.mark.parametrize(
    "remote_addr, forwarded_for, client",
    [
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not from a proxy: the header is ignored
        (PROXY, None, PROXY),
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "192.0.2.1, 198.51.100.1", "198.51.100.1"),  # the client's own claim is ignored
        (PROXY, "192.0.2.1, 198.51.100.1, 10.1.2.3", "198.51.100.1"),  # a chain of named proxies
        (PROXY, "10.9.9.9, 10.1.2.3", "10.9.9.9"),  # nothing but proxies: the farthest one
        (PROXY, "192.0.2.1, not-an-address", PROXY),  # a broken hop: the last proxy believed
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_address_is_the_first_hop_from_the_right_that_is_not_a_named_proxy(
    remote_addr, forwarded_for, client
):
    trusted = [ip_network("10.0.0.0/8"), ip_network("::1/128")]
    assert client_address(remote_addr=remote_addr, forwarded_for=forwarded_for, trusted_proxies=trusted) == client


@pytest.mark.parametrize("has_account", [True, False], ids=["an account", "no account"])
def test_wrong_passwords_for_one_email_from_many_addresses_are_limited_alike(person, has_account):
    email = person.email if has_account else "nobody@example.com"
    statuses = [login(APIClient(REMOTE_ADDR=f"198.51.100.{i}"), email) for i in range(21)]
    assert statuses[:20] == [400] * 20
    refused = APIClient(REMOTE_ADDR="203.0.113.1").post(LOGIN, {"email": email, "password": PASSWORD}, format="json")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600


def test_the_account_limit_folds_the_email_and_another_email_is_not_held_up(person):
    for i in range(20):
        login(APIClient(REMOTE_ADDR=f"198.51.100.{i}"), person.email.upper())
    assert login(APIClient(REMOTE_ADDR="203.0.113.1"), f"  {person.email}  ") == 429
    assert login(APIClient(REMOTE_ADDR="203.0.113.2"), "someone.else@example.com") == 400


def test_successful_logins_are_not_counted_against_the_account(person):
    statuses = [login(APIClient(REMOTE_ADDR=f"198.51.100.{i}"), person.email, PASSWORD) for i in range(25)]
    assert set(statuses) == {200}
    assert login(APIClient(REMOTE_ADDR="203.0.113.1"), person.email) == 400
