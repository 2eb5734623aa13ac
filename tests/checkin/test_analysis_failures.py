"""An analysis that fails is tried again a few times in all, further apart each time, never queued
twice at once, and then given up where an operator sees it (the admin, one ERROR in the log)."""

import logging
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.test import Client

from checkin import scheduler, tasks
from checkin.models import Flag, Round
from tests.broker import analyses
from tests.builders import revealed_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


def _a_round_whose_analysis_always_fails(seats) -> Round:
    """Revealed with a gap in connection to flag, and a flag for that finding already there (a
    restored backup, a hand-made row): the analysis cannot add its flag and fails every time."""
    checkin_round = revealed_round(seats, alice=(1, 4), bob=(5, 4), analyse=False)
    Flag.objects.create(round=checkin_round, kind="gap", dimension="connection", summary="left over")
    return checkin_round


def _worker_runs(round_ids: list[int]) -> int:
    """Run the analysis tasks as a worker would; how many failed."""
    failed = 0
    for round_id in round_ids:
        try:
            tasks.round_analyse(round_id)
        except IntegrityError:
            failed += 1
    return failed


def _each_minute(since: datetime, until: datetime, sent, done: list[int]) -> int:
    """Tick every minute from `since` to `until`, running each analysis the sweep hands off.
    Returns how many of them failed; `done` grows by the ids the worker ran."""
    failed, moment = 0, since
    while moment <= until:
        with time_machine.travel(moment, tick=False):
            scheduler.tick(now=moment)
            new = analyses(sent)[len(done) :]
            done += new
            failed += _worker_runs(new)
        moment += MINUTE
    return failed


def test_an_analysis_that_always_fails_is_tried_three_times_in_all_then_given_up_where_an_operator_sees_it(
    seats, sent, caplog
):
    checkin_round = _a_round_whose_analysis_always_fails(seats)
    revealed_at = checkin_round.revealed_at
    assert revealed_at is not None
    assert _worker_runs([checkin_round.pk]) == 1  # the hand-off of the reveal

    done: list[int] = []
    with caplog.at_level(logging.ERROR, logger="checkin"):
        failed = _each_minute(revealed_at + MINUTE, revealed_at + timedelta(minutes=100), sent, done)

    assert done == [checkin_round.pk, checkin_round.pk]  # at 2 minutes, then 10 minutes later
    assert failed == 2
    checkin_round.refresh_from_db()
    assert checkin_round.analysed_at is None
    assert checkin_round.analysis_given_up_at is not None
    given_up = [r for r in caplog.records if r.levelno == logging.ERROR and "given up" in r.getMessage()]
    assert len(given_up) == 1
    assert f"round {checkin_round.pk}" in given_up[0].getMessage()

    # The operator finds it in the admin.
    operator = Client()
    operator.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    listing = operator.get("/admin/checkin/round/?analysis_given_up_at__isempty=0")
    assert listing.status_code == 200
    assert f"/admin/checkin/round/{checkin_round.pk}/change/" in listing.content.decode()
    assert "Analysis given up at" in operator.get(f"/admin/checkin/round/{checkin_round.pk}/change/").content.decode()


def test_an_analysis_waiting_in_the_queue_is_not_queued_again_each_minute(seats, sent):
    # Nobody runs the analyses (the workers are busy or down): the sweep hands it off once per wait.
    checkin_round = revealed_round(seats, alice=(1, 4), bob=(5, 4), analyse=False)
    revealed_at = checkin_round.revealed_at
    assert revealed_at is not None
    for minute in range(1, 60):
        moment = revealed_at + minute * MINUTE
        with time_machine.travel(moment, tick=False):
            scheduler.sweep_unanalysed_rounds(now=moment)
            scheduler.sweep_unanalysed_rounds(now=moment)  # a second beat at the same instant
    assert analyses(sent) == [checkin_round.pk, checkin_round.pk]  # at 2 and at 12 minutes

    # Once a worker gets to it, the copies left in the queue do nothing.
    _worker_runs(analyses(sent))
    checkin_round.refresh_from_db()
    assert checkin_round.analysed_at is not None
    assert checkin_round.analysis_given_up_at is None
    assert Flag.objects.filter(round=checkin_round, kind="gap").count() == 1
