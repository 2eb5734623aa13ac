"""The export writes every time one way, as the rest of the API does: ISO 8601 in UTC, "Z"."""

import re

from tests.builders import revealed_round


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
