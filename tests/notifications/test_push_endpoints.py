"""Which push endpoints the server calls (notifications/push_endpoints.py), under production rules:
each shape that would make the server call somewhere it must not is refused when a subscription is
made (400 naming `endpoint`) and when a push is sent, before anything is sent, even for a name
that pointed to a public address when it was subscribed and points elsewhere now (DNS rebinding).

The resolver is the outside world here: `dns` answers for the test's own host names and asks the
real one for everything else.
"""

import socket

import pytest

from notifications import push_http, sending, services
from notifications.models import Delivery, PushSubscription
from notifications.push_endpoints import PUBLIC_ONLY
from tests.builders import client_for
from tests.notifications.fake_push import Browser
from tests.notifications.test_push_http import push

# Each an address the server must not call, and why it looks harmless to a plain check.
BAD_ADDRESSES = [
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "::1",
    "224.0.0.1",  # IPv4 multicast
    "ff02::1",  # IPv6 multicast, all nodes on the link
    "ff0e::1",  # IPv6 multicast, global scope (`is_global` says yes)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1 (`is_global` says yes)
    "64:ff9b:1::7f00:1",  # local-use NAT64 (RFC 8215)
    "2002:7f00:1::",  # 6to4 of 127.0.0.1 (`is_global` says yes)
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "::127.0.0.1",  # IPv4-compatible 127.0.0.1 (`is_global` says yes on Python 3.11)
    "::ffff:127.0.0.1",  # IPv4-mapped
    "192.0.0.8",  # IETF protocol assignments (`is_global` says yes on Python 3.11)
]


def literal(address: str) -> str:
    return f"[{address}]" if ":" in address else address


BAD_ENDPOINTS = [f"https://{literal(address)}/push/abc" for address in BAD_ADDRESSES] + [
    "https://93.184.216.34:6379/push/abc",  # a public address, but Redis's port
    "https://93.184.216.34:22/push/abc",
    "https://93.184.216.34:8443/push/abc",
    "https://[2606:2800:220:1:248:1893:25c8:1946]:6379/push/abc",
    "https://user@93.184.216.34/push/abc",  # user info
    "https://user:secret@93.184.216.34/push/abc",
    "https://:secret@93.184.216.34/push/abc",
    "http://93.184.216.34/push/abc",
    "https://93.184.216.34:99999/push/abc",
]

GOOD_ENDPOINTS = [
    "https://93.184.216.34/push/abc",
    "https://93.184.216.34:443/push/abc",
    "https://[2606:2800:220:1:248:1893:25c8:1946]/push/abc",
    "https://[64:ff9b::5db8:d822]/push/abc",  # NAT64 of 93.184.216.34: a public push service from IPv6-only
    "https://[2002:5db8:d822::1]/push/abc",  # 6to4 of 93.184.216.34
]


@pytest.fixture
def production_rules(settings):
    settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS = False


@pytest.fixture
def dns(monkeypatch):
    """Host names of the test's own: `dns["push.example"] = "224.0.0.1"` points it there."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            address = names[host]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS)
def test_each_endpoint_the_server_must_not_call_is_a_400_naming_endpoint(endpoint, person, production_rules):
    response = Browser.new(endpoint).subscribe(client_for(person))
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["endpoint"]
    assert not PushSubscription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_name_that_resolves_to_an_address_the_server_must_not_call_is_a_400(address, person, production_rules, dns):
    dns["push.example"] = address
    response = Browser.new("https://push.example/push/abc").subscribe(client_for(person))
    assert response.status_code == 400, response.content
    assert response.json() == {"endpoint": [PUBLIC_ONLY]}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", GOOD_ENDPOINTS)
def test_a_public_https_endpoint_on_port_443_is_accepted(endpoint, person, production_rules):
    response = Browser.new(endpoint).subscribe(client_for(person))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS)
def test_each_such_endpoint_is_refused_before_sending(endpoint, production_rules):
    with pytest.raises(push_http.EndpointRefused):
        push(push_http.PushConnections(), Browser.new(endpoint))


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_a_name_re_pointed_after_subscribing_is_refused_when_the_connection_is_made(address, production_rules, dns):
    dns["push.example"] = address
    with pytest.raises(push_http.EndpointRefused, match="not a private or local address"):
        push(push_http.PushConnections(), Browser.new("https://push.example/push/abc"))


def test_behind_an_https_proxy_the_name_is_checked_before_each_send(production_rules, dns, monkeypatch):
    # The proxy connects, not the server: the name is looked up and checked before anything is sent.
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    dns["push.example"] = "10.0.0.1"
    with pytest.raises(push_http.EndpointRefused, match="not a private or local address"):
        push(push_http.PushConnections(), Browser.new("https://push.example/push/abc"))


@pytest.mark.django_db
def test_a_delivery_to_a_subscription_whose_name_now_points_inside_fails_and_nothing_is_called(
    person, push_service, vapid, production_rules, dns, django_capture_on_commit_callbacks
):
    # Subscribed while the name pointed to a public address (DNS rebinding: it is re-pointed after).
    dns["push.example"] = "93.184.216.34"
    browser = Browser.new("https://push.example/push/abc")
    assert browser.subscribe(client_for(person)).status_code == 201
    dns["push.example"] = "64:ff9b::7f00:1"
    with django_capture_on_commit_callbacks():
        services.notify(user_ids=[person.pk], kind="results_ready", subject="round:1")
    services.fan_out(kind="results_ready", subjects=["round:1"])
    delivery = Delivery.objects.get(channel=Delivery.Channel.PUSH)
    assert sending.delivery_send(delivery_id=delivery.pk).status == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == PUBLIC_ONLY
    assert push_service.requests == []


@pytest.mark.django_db
def test_the_local_fake_push_service_is_still_called_in_development_and_tests(
    person, push_service, vapid, django_capture_on_commit_callbacks
):
    browser = Browser.new(push_service.endpoint())  # http://127.0.0.1:<any port>
    assert browser.subscribe(client_for(person)).status_code == 201
    with django_capture_on_commit_callbacks():
        services.notify(user_ids=[person.pk], kind="results_ready", subject="round:1")
    services.fan_out(kind="results_ready", subjects=["round:1"])
    delivery = Delivery.objects.get(channel=Delivery.Channel.PUSH)
    assert sending.delivery_send(delivery_id=delivery.pk).status == "sent"
    assert len(push_service.accepted_for(browser.endpoint)) == 1
