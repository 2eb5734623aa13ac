"""Small steps the check-in tests share: open a round, answer it, reveal it with chosen ratings."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from checkin import services
from checkin.models import Round


def open_round(seats) -> dict:
    response = seats.alice_api.post("/api/v1/checkins")
    assert response.status_code == 201, response.content
    return response.json()


def answer(client, round_id: int, **body):
    body.setdefault("connection", 4)
    body.setdefault("independence", 4)
    return client.put(f"/api/v1/checkins/{round_id}/response", body, format="json")


def revealed_round(seats, *, alice=(4, 4), bob=(4, 4), at=None, analyse=True) -> Round:
    """A revealed round of Alice and Bob with the given (connection, independence) ratings."""
    with time_machine.travel(at or timezone.now(), tick=False):
        checkin_round = services.round_open(couple=seats.couple, window_hours=48, now=timezone.now())
        for user, (connection, independence) in ((seats.alice, alice), (seats.bob, bob)):
            services.answer_submit(
                user=user, round_id=checkin_round.pk, connection=connection, independence=independence
            )
        checkin_round.refresh_from_db()
        assert checkin_round.status == Round.Status.REVEALED
        if analyse:
            services.round_analyse(round_id=checkin_round.pk)
    return checkin_round


def a_week(n: int):
    return timezone.now() - timedelta(weeks=n)
