"""Pairing: invites, join, the couple, leave and pairing again."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from couples import invites, services
from couples.models import Couple, Invite, Membership
from tests.builders import client_for, pair
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVITES = "/api/v1/couple/invites"
JOIN = "/api/v1/couple/join"
INVALID = {"code": [services.INVALID_CODE]}


@pytest.fixture
def sam():
    return UserFactory.create(display_name="Sam", timezone="America/New_York")


@pytest.fixture
def alex():
    return UserFactory.create(display_name="Alex")


def new_code(user) -> str:
    response = client_for(user).post(INVITES)
    assert response.status_code == 201
    return response.json()["code"]


def test_an_invite_is_a_typeable_code_in_two_groups_with_expiry_and_a_join_link(sam):
    response = client_for(sam).post(INVITES)
    body = response.json()
    assert response.status_code == 201
    first, second = body["code"].split("-")
    assert len(first) == len(second) == 5
    assert set(first + second) <= set(invites.ALPHABET)
    expires_in = datetime.fromisoformat(body["expires_at"]) - timezone.now()
    assert timedelta(hours=47, minutes=59) < expires_in <= timedelta(hours=48)
    assert body["join_url"].endswith(f"/join?code={body['code']}")


def test_the_code_is_stored_only_as_a_hash(sam):
    code = new_code(sam)
    invite = Invite.objects.get(inviter=sam)
    assert code.replace("-", "") not in invite.code_hash
    assert len(invite.code_hash) == 64


def test_joining_pairs_the_two_with_a_default_schedule_in_the_inviters_zone(sam, alex):
    code = new_code(sam)
    response = client_for(alex).post(JOIN, {"code": code}, format="json")
    assert response.status_code == 201
    couple = response.json()
    assert couple["partner"] == {"id": sam.pk, "display_name": "Sam"}
    assert couple["schedule"]["cadence"] == "weekly"
    assert couple["schedule"]["weekday"] == 6
    assert couple["schedule"]["time"] == "19:00"
    assert couple["schedule"]["timezone"] == "America/New_York"
    assert couple["schedule"]["window_hours"] == 48
    seen_by_sam = client_for(sam).get("/api/v1/couple").json()
    assert seen_by_sam["id"] == couple["id"]
    assert seen_by_sam["partner"] == {"id": alex.pk, "display_name": "Alex"}


@pytest.mark.parametrize("typed", ["{lower}", "{nodash}", " {spaced} ", "{lower_nodash}"])
def test_a_code_is_accepted_in_any_case_with_or_without_the_dash(sam, alex, typed):
    code = new_code(sam)
    variants = {
        "lower": code.lower(),
        "nodash": code.replace("-", ""),
        "spaced": code.replace("-", " "),
        "lower_nodash": code.replace("-", "").lower(),
    }
    response = client_for(alex).post(JOIN, {"code": typed.format(**variants)}, format="json")
    assert response.status_code == 201


def test_ambiguous_letters_are_read_as_the_digits_they_look_like():
    assert invites.canonical_code("ILO00-11111") == "1100011111"


def test_wrong_expired_and_used_codes_all_get_the_same_message(sam, alex):
    charlie = UserFactory.create()
    wrong = client_for(alex).post(JOIN, {"code": "ZZZZZ-ZZZZZ"}, format="json")

    expired_code = new_code(sam)
    with time_machine.travel(timezone.now() + timedelta(hours=48, seconds=1)):
        expired = client_for(alex).post(JOIN, {"code": expired_code}, format="json")

    used_code = new_code(sam)
    assert client_for(alex).post(JOIN, {"code": used_code}, format="json").status_code == 201
    used = client_for(charlie).post(JOIN, {"code": used_code}, format="json")

    garbage = client_for(charlie).post(JOIN, {"code": "!!"}, format="json")
    for response in (wrong, expired, used, garbage):
        assert response.status_code == 400
        assert response.json() == INVALID


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": None}, {"code": 12345}, {"code": "x" * 100}])
def test_a_missing_or_malformed_code_is_a_400(alex, body):
    response = client_for(alex).post(JOIN, body, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_joining_your_own_code_is_a_400(sam):
    code = new_code(sam)
    response = client_for(sam).post(JOIN, {"code": code}, format="json")
    assert response.status_code == 400
    assert "own invite" in response.json()["code"][0]


def test_joining_while_paired_is_a_409(seats):
    code = new_code(UserFactory.create())
    response = seats.alice_api.post(JOIN, {"code": code}, format="json")
    assert response.status_code == 409


def test_an_invite_dies_when_its_maker_pairs_with_someone_else(sam, alex):
    code = new_code(sam)
    # Sam joins someone else's invite in the meantime; Sam's own invite goes with it.
    other = UserFactory.create()
    pair(other, sam)
    response = client_for(alex).post(JOIN, {"code": code}, format="json")
    assert response.status_code == 400
    assert not Invite.objects.filter(inviter=sam, used_at__isnull=True).exists()


def test_inviting_while_paired_is_a_409(seats):
    response = seats.alice_api.post(INVITES)
    assert response.status_code == 409


def test_a_new_invite_replaces_the_older_one(sam, alex):
    old = new_code(sam)
    new = new_code(sam)
    assert client_for(alex).post(JOIN, {"code": old}, format="json").json() == INVALID
    assert client_for(alex).post(JOIN, {"code": new}, format="json").status_code == 201
    assert Invite.objects.filter(inviter=sam).count() == 1


def test_leaving_ends_the_couple_for_both_at_once(seats, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert seats.bob_api.post("/api/v1/couple/leave").status_code == 204
    assert seats.alice_api.get("/api/v1/couple").status_code == 404
    assert seats.bob_api.get("/api/v1/couple").status_code == 404
    seats.couple.refresh_from_db()
    assert seats.couple.ended_at is not None
    assert seats.couple.schedule.next_checkin_at is None  # reminders stop at once
    assert seats.alice.notifications.filter(kind="partner_left").count() == 1
    assert not seats.bob.notifications.filter(kind="partner_left").exists()


def test_leaving_when_not_paired_is_a_404(alex):
    assert client_for(alex).post("/api/v1/couple/leave").status_code == 404


def test_after_leaving_both_can_pair_again_and_the_old_couple_keeps_its_members(seats):
    seats.alice_api.post("/api/v1/couple/leave")
    code = new_code(seats.bob)
    response = seats.alice_api.post(JOIN, {"code": code}, format="json")
    assert response.status_code == 201
    assert response.json()["id"] != seats.couple.pk
    old = Couple.objects.get(pk=seats.couple.pk)
    assert old.ended_at is not None
    assert set(Membership.objects.filter(couple=old).values_list("user_id", flat=True)) == {
        seats.alice.pk,
        seats.bob.pk,
    }


def test_a_person_cannot_be_in_two_couples_even_bypassing_the_services(seats):
    from django.db import IntegrityError, transaction

    other = Couple.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(couple=other, user=seats.alice, seat=1)


def test_a_failure_other_than_already_paired_while_joining_is_not_reported_as_already_paired(sam, alex, monkeypatch):
    from django.db import IntegrityError

    # A default schedule that its own constraint refuses (a window longer than a week) stands
    # for any refusal by the database that is not "one of you is already paired".
    monkeypatch.setattr(services, "DEFAULT_WINDOW_HOURS", 8 * 24)
    code = new_code(sam)
    with pytest.raises(IntegrityError, match="schedule_window_1_to_168_hours"):
        client_for(alex).post(JOIN, {"code": code}, format="json")
    assert not Couple.objects.exists()
    assert Invite.objects.get(inviter=sam).used_at is None


def test_get_couple_when_not_paired_is_a_404(alex):
    assert client_for(alex).get("/api/v1/couple").status_code == 404


def test_the_inviter_is_told_when_the_invite_is_accepted(sam, alex, django_capture_on_commit_callbacks):
    code = new_code(sam)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alex).post(JOIN, {"code": code}, format="json")
    notification = sam.notifications.get(kind="invite_accepted")
    assert "Alex" in notification.body


def test_join_is_throttled_per_person(alex):
    client = client_for(alex)
    statuses = [client.post(JOIN, {"code": "ZZZZZ-ZZZZZ"}, format="json").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert "Retry-After" in client.post(JOIN, {"code": "ZZZZZ-ZZZZZ"}, format="json")


def test_join_is_throttled_per_address_whatever_the_account():
    statuses = []
    for _ in range(4):
        client = client_for(UserFactory.create())
        statuses += [client.post(JOIN, {"code": "ZZZZZ-ZZZZZ"}, format="json").status_code for _ in range(10)]
    assert statuses[:30] == [400] * 30
    assert set(statuses[30:]) == {429}


def test_invite_creation_is_throttled(sam):
    client = client_for(sam)
    statuses = [client.post(INVITES).status_code for _ in range(21)]
    assert statuses[-1] == 429
