"""Celery tasks of the check-in domain: thin, they take ids and call a service."""

import logging

from celery import shared_task
from django.utils import timezone

from checkin import later, scheduler, services

log = logging.getLogger(__name__)


# `expires`: a tick that waited in the queue past the next one is pointless; the next one does it.
@shared_task(name="checkin.tick", ignore_result=True, expires=55)
def tick() -> None:
    report = scheduler.tick(now=timezone.now())
    if report.opened or report.closed or report.nudged or report.failed or report.reanalysed:
        log.info(
            "tick: opened=%s skipped=%s failed=%s closed=%s nudged=%s reanalysed=%s",
            report.opened,
            report.skipped,
            len(report.failed),
            report.closed,
            report.nudged,
            report.reanalysed,
        )


# No retries of its own: the tick's sweep hands a failed analysis off again, a few times in all
# (scheduler.ANALYSIS_WAITS), and then records that it gave up.
@shared_task(name=later.ROUND_ANALYSE, ignore_result=True)
def round_analyse(round_id: int) -> None:
    services.round_analyse(round_id=round_id)
