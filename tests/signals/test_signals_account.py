"""Signals are the couple's: in each partner's export, and gone with the account of whoever sent
them (and their replies with it)."""

from signals.models import Signal
from tests.factories import PASSWORD

SIGNALS = "/api/v1/signals"


def send(client, kind="invite", **body) -> dict:
    response = client.post(SIGNALS, {"kind": kind, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_export_holds_the_signals_i_sent_and_received_and_those_i_took_back(seats):
    invitation = send(seats.alice_api, "invite", message="Tea?")
    seats.bob_api.post(f"{SIGNALS}/{invitation['id']}/reply", {"reply": "yes", "message": "Lovely"}, format="json")
    space = send(seats.bob_api, "space", message="Quiet evening")
    taken_back = send(seats.alice_api, "thanks")
    seats.alice_api.delete(f"{SIGNALS}/{taken_back['id']}")

    alices = seats.alice_api.get("/api/v1/me/export").json()["signals"]
    assert [(s["id"], s["from"], s["message"]) for s in alices] == [
        (invitation["id"], "me", "Tea?"),
        (space["id"], "partner", "Quiet evening"),
        (taken_back["id"], "me", ""),
    ]
    assert (alices[0]["reply"], alices[0]["reply_message"]) == ("yes", "Lovely")
    assert alices[2]["withdrawn_at"] is not None and alices[0]["withdrawn_at"] is None
    # Bob's export has no trace of what Alice took back.
    bobs = seats.bob_api.get("/api/v1/me/export").json()["signals"]
    assert [(s["id"], s["from"]) for s in bobs] == [(invitation["id"], "partner"), (space["id"], "me")]
    assert seats.charlie_api.get("/api/v1/me/export").json()["signals"] == []


def test_a_deleted_account_takes_its_signals_and_its_replies_along(seats):
    alices = send(seats.alice_api, "space", message="Resting")
    bobs = send(seats.bob_api, "invite", message="Dinner?")
    seats.alice_api.post(f"{SIGNALS}/{bobs['id']}/reply", {"reply": "later", "message": "Next week"}, format="json")

    response = seats.alice_api.delete("/api/v1/me", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not Signal.objects.filter(pk=alices["id"]).exists()
    [left] = seats.bob_api.get(SIGNALS).json()["results"]
    assert (left["id"], left["message"], left["reply"], left["reply_message"]) == (bobs["id"], "Dinner?", None, "")
    assert "Next week" not in str(seats.bob_api.get("/api/v1/me/export").json())
