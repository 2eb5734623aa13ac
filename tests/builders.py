"""How tests make what they need, the way the app makes it: people with API clients, couples paired
through an invite, rounds opened, answered and revealed, a discussion, a notification. One home for them (beside
`factories.py`, which makes bare rows), so that a change to how a couple or a round comes about is
made once. Each takes the people it acts for and returns what it made."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from checkin import services as checkin_services
from checkin.models import Discussion, Round
from couples import devices
from couples import services as couple_services
from couples.models import Couple, User
from notifications import sending
from notifications import services as notification_services
from notifications.models import Delivery
from tests.broker import BrokerQueue
from tests.factories import UserFactory
from workflows import later as workflows_later
from workflows import services as workflows_services
from workflows import tasks as workflows_tasks

Ratings = tuple[int, int]  # (connection, independence)


def client_for(user: User | None) -> APIClient:
    """An API client with a token of its own for `user` (a device, as a login makes); anonymous for
    None. Like any client but a browser, it has no CSRF cookie, so a login gives it a token."""
    client = APIClient(enforce_csrf_checks=True)
    if user is not None:
        key, _ = devices.token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def pair(inviter: User, joiner: User) -> Couple:
    """`joiner` joins `inviter`'s invite: their couple, with the default schedule."""
    invite = couple_services.invite_create(user=inviter)
    return workflows_services.couple_join(user=joiner, code=invite.code).couple


def a_couple(**fields) -> Couple:
    """Two new people (each with `fields`, e.g. timezone) paired."""
    return pair(UserFactory.create(**fields), UserFactory.create(**fields))


@dataclass
class Partners:
    """A couple and its two partners, Alice (who invited) and Bob."""

    couple: Couple
    alice: User
    bob: User


@dataclass
class Seats(Partners):
    """Alice and Bob are a couple; Charlie is an outsider who is paired with Dana. The three seats
    every read endpoint is tested from, with an API client for each and one for nobody."""

    charlie: User
    dana: User
    alice_api: APIClient
    bob_api: APIClient
    charlie_api: APIClient
    anonymous_api: APIClient


def person_named(name: str) -> User:
    return UserFactory.create(display_name=name, email=f"{name.lower()}@example.com")


def three_seats() -> Seats:
    alice, bob, charlie, dana = (person_named(name) for name in ("Alice", "Bob", "Charlie", "Dana"))
    couple = pair(alice, bob)
    pair(charlie, dana)
    return Seats(
        couple=couple,
        alice=alice,
        bob=bob,
        charlie=charlie,
        dana=dana,
        alice_api=client_for(alice),
        bob_api=client_for(bob),
        charlie_api=client_for(charlie),
        anonymous_api=client_for(None),
    )


def open_round(client: APIClient) -> dict:
    """'Check in now' through the API, as `client`'s person: the new round's body."""
    response = client.post("/api/v1/checkins")
    assert response.status_code == 201, response.content
    return response.json()


def answer(client: APIClient, round_id: int, **body):
    """`client`'s person answers the round through the API (4 and 4 unless `body` says)."""
    body.setdefault("connection", 4)
    body.setdefault("independence", 4)
    return client.put(f"/api/v1/checkins/{round_id}/response", body, format="json")


def revealed_round(
    partners: Partners,
    *,
    alice: Ratings = (4, 4),
    bob: Ratings = (4, 4),
    at: datetime | None = None,
    analyse: bool = True,
) -> Round:
    """A round of Alice and Bob revealed (at `at`, else now) with the given ratings, and analysed
    as the task does after the reveal unless `analyse` is False."""
    with time_machine.travel(at or timezone.now(), tick=False):
        checkin_round = checkin_services.round_open(couple=partners.couple, window_hours=48, now=timezone.now())
        for user, (connection, independence) in ((partners.alice, alice), (partners.bob, bob)):
            checkin_services.answer_submit(
                user=user, round_id=checkin_round.pk, connection=connection, independence=independence
            )
        checkin_round.refresh_from_db()
        assert checkin_round.status == Round.Status.REVEALED
        if analyse:
            checkin_services.round_analyse(round_id=checkin_round.pk)
    return checkin_round


def a_discussion(partners: Partners) -> Discussion:
    """The discussion a mismatch opens: a round where Alice would like more closeness and Bob more
    space (pursue/withdraw), revealed and analysed."""
    checkin_round = revealed_round(partners, alice=(2, 3), bob=(3, 2))
    found = Discussion.objects.filter(couple=partners.couple, checkin=checkin_round).first()
    assert found is not None, "the mismatched round opened no discussion"
    return found


def notified(person: User, *, kind: str = "results_ready", subject: str = "round:1") -> list[int]:
    """`person` notified of an event, and the event's fan-out run as its task would run it: the
    ids of the deliveries due now."""
    notification_services.notify(user_ids=[person.pk], kind=kind, subject=subject)
    return notification_services.fan_out(kind=kind, subjects=[subject])


def weeks_ago(weeks: int) -> datetime:
    return timezone.now() - timedelta(weeks=weeks)


def worker_sends_account_emails(broker: BrokerQueue) -> None:
    """What a worker does next for the account emails asked for: the reset requests waiting on the
    broker are looked up (as their task runs them), then every email delivery that is due is sent
    (as its task, or the sweep, would send it)."""
    for name, args in broker:
        if name == workflows_later.PASSWORD_RESET_MAIL:
            workflows_tasks.password_reset_mail.apply(args=args).get()
    broker.client.flushdb()
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, due_at__lte=timezone.now()).order_by("pk")
    sending.deliveries_send(delivery_ids=list(due.values_list("pk", flat=True)))


def link_token(text: str, path: str) -> str:
    """The `token` of the first link to `path` (say "/confirm-email") in an email's text."""
    found = re.search(rf"https?://\S+{re.escape(path)}\?\S+", text)
    assert found is not None, f"no link to {path} in: {text}"
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]
