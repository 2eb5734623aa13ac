"""The export writes every time one way, as the rest of the API does: ISO 8601 in UTC, "Z"."""

import json
import re
from datetime import UTC, datetime, timedelta

import time_machine

from couples.models import Device, Passkey
from tests.builders import a_discussion, answer, open_round, revealed_round, three_seats

T = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
RESULTS_READY = (
    "You have both checked in",
    "Your answers are side by side, to look at together when it suits you both.",
)
ROUND_OPENED = ("A check-in is open", "Whenever you are ready; there is no rush.")


def _times(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _times(item)
    elif isinstance(value, list):
        for item in value:
            yield from _times(item)
    elif isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\dT", value):
        yield value


def test_every_time_in_the_export_is_written_in_utc_the_same_way(seats):
    revealed_round(seats, alice=(1, 5), bob=(5, 1))
    seats.alice_api.post(
        f"/api/v1/discussions/{seats.alice_api.get('/api/v1/discussions').json()['results'][0]['id']}/notes",
        {"text": "Let us talk on Sunday."},
        format="json",
    )
    seats.alice_api.post("/api/v1/signals", {"kind": "space"}, format="json")
    export = seats.alice_api.get("/api/v1/me/export").json()
    times = list(_times(export))
    assert len(times) > 10
    assert all(t.endswith("Z") for t in times), [t for t in times if not t.endswith("Z")]
    for part in ("user", "couples", "invites", "checkins", "discussion_notes", "notifications", "signals"):
        assert export[part]


def test_the_export_holds_everything_stored_about_me_and_of_my_partner_only_what_they_showed(db):
    with time_machine.travel(T, tick=False) as clock:
        seats = three_seats()
        discussion = a_discussion(seats)
        clock.shift(timedelta(hours=1))
        seats.alice_api.post(f"/api/v1/discussions/{discussion.pk}/notes", {"text": "On Sunday?"}, format="json")
        seats.bob_api.post(f"/api/v1/discussions/{discussion.pk}/notes", {"text": "Bob's own."}, format="json")
        signal = seats.alice_api.post("/api/v1/signals", {"kind": "space"}, format="json").json()
        passkey = Passkey.objects.create(user=seats.alice, credential_id=b"id", public_key=b"key", name="Phone")
        clock.shift(timedelta(days=2))
        current = open_round(seats.bob_api)
        answer(seats.bob_api, current["id"], connection=3, independence=3, note="Not shown before the reveal.")
        export = json.loads(seats.alice_api.get("/api/v1/me/export").content)
    # Notifications made at the same instant (a round's two) come in no order of their own.
    export["notifications"].sort(key=lambda n: (n["created_at"], n["kind"]))

    at, later, days_later = "2026-03-01T18:30:00Z", "2026-03-01T19:30:00Z", "2026-03-03T19:30:00Z"
    device = Device.objects.get(user=seats.alice)
    nothing_yet = {"answered": False, "response": None, "removed": False}
    assert export == {
        "user": {
            "id": seats.alice.pk,
            "email": "alice@example.com",
            "display_name": "Alice",
            "timezone": seats.alice.timezone,
            "date_joined": at,
            "email_confirmed": True,
            "pending_email": None,
        },
        "couples": [
            {
                "id": seats.couple.pk,
                "paired_at": at,
                "ended_at": None,
                "left_at": None,
                "partner_display_name": "Bob",
                "schedule": {
                    "cadence": "weekly",
                    "weekday": 6,
                    "interval_days": 7,
                    "time": "19:00",
                    "timezone": seats.alice.timezone,
                    "window_hours": 48,
                },
            }
        ],
        "invites": [{"created_at": at, "expires_at": "2026-03-03T18:30:00Z", "used_at": at}],
        "devices": [{"id": device.pk, "kind": "token", "user_agent": "", "created_at": at, "last_used_at": days_later}],
        "passkeys": [{"id": passkey.pk, "name": "Phone", "created_at": later, "last_used_at": None}],
        "checkins": [
            {
                "couple_id": seats.couple.pk,
                "id": discussion.checkin_id,
                "status": "revealed",
                "opens_at": at,
                "closes_at": "2026-03-03T18:30:00Z",
                "revealed_at": at,
                "analysed_at": at,
                "me": {
                    "answered": True,
                    "response": {
                        "connection": 2,
                        "independence": 3,
                        "note": "",
                        "private_note": "",
                        "submitted_at": at,
                        "updated_at": at,
                        "made_at": at,
                    },
                    "removed": False,
                },
                "partner": {
                    "display_name": "Bob",
                    "answered": True,
                    "response": {
                        "connection": 3,
                        "independence": 2,
                        "note": "",
                        "submitted_at": at,
                        "updated_at": at,
                    },
                    "removed": False,
                },
                "patterns": {"me": "isolated", "partner": "engulfed"},
                "flags": [
                    {
                        "kind": "pursue_withdraw",
                        "dimension": None,
                        "summary": "Alice would like more closeness; Bob would like more space.",
                        "discussion_id": discussion.pk,
                    }
                ],
            },
            {
                "couple_id": seats.couple.pk,
                "id": current["id"],
                "status": "open",
                "opens_at": days_later,
                "closes_at": "2026-03-05T19:30:00Z",
                "revealed_at": None,
                "analysed_at": None,
                "me": nothing_yet,
                # Bob answered; what he said stays his until the reveal.
                "partner": {"display_name": "Bob", "answered": True, "response": None, "removed": False},
                "patterns": None,
                "flags": [],
            },
        ],
        "discussion_notes": [{"discussion_id": discussion.pk, "text": "On Sunday?", "created_at": later}],
        "notifications": [
            {
                "kind": kind,
                "title": title,
                "body": body,
                "created_at": created_at,
                "read_at": None,
            }
            for kind, title, body, created_at in (
                ("invite_accepted", "You are paired", "Bob joined you on Tandem.", at),
                ("results_ready", *RESULTS_READY, at),
                ("round_opened", *ROUND_OPENED, at),
                ("round_opened", *ROUND_OPENED, days_later),
            )
        ],
        "signals": [
            {
                "id": signal["id"],
                "kind": "space",
                "from": "me",
                "message": "",
                "until": signal["until"],
                "reply": None,
                "reply_message": "",
                "replied_at": None,
                "created_at": later,
                "withdrawn_at": None,
            }
        ],
    }
