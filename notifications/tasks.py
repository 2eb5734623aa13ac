"""Celery tasks of the notifications domain: thin, they take ids and call a service.

All are idempotent (see notifications/services.py), which is what makes acks_late and
reject_on_worker_lost safe: a task run twice finds its work done.
"""

from celery import Task, shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from notifications import later, sending, services


@shared_task(
    name=later.FAN_OUT,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=settings.MAX_TASK_DELAY_SECONDS,
    max_retries=5,
)
def fan_out(kind: str, subjects: list[str]) -> None:
    _deliver_in_batches(services.fan_out(kind=kind, subjects=subjects))


# Deliveries travel in batches: the Sunday-evening herd makes hundreds of thousands, one message
# each would spend more time on the broker than on sending, and a batch's sends wait on the outside
# world together (notifications/sending.py), so a bigger batch keeps more of them in flight.
DELIVERY_BATCH = 200


def _deliver_in_batches(delivery_ids: list[int]) -> None:
    for start in range(0, len(delivery_ids), DELIVERY_BATCH):
        deliver_batch.delay(delivery_ids[start : start + DELIVERY_BATCH])


@shared_task(name=later.DELIVER_BATCH)
def deliver_batch(delivery_ids: list[int]) -> None:
    # A batch redelivered after its worker died finds the deliveries already sent (or still
    # leased) and sends only the rest.
    for delivery_id, attempt in sending.deliveries_send(delivery_ids=delivery_ids).items():
        if attempt.retry_in is not None:
            deliver.apply_async((delivery_id,), countdown=attempt.retry_in)


@shared_task(name="notifications.deliver", bind=True, max_retries=sending.MAX_ATTEMPTS)
def deliver(self: Task[[int], None], delivery_id: int) -> None:
    attempt = sending.delivery_send(delivery_id=delivery_id)
    if attempt.retry_in is not None:
        # Exponential backoff (or the push service's Retry-After), bounded by the broker's
        # visibility timeout; the attempt count that bounds retries lives on the row.
        raise self.retry(countdown=attempt.retry_in)


@shared_task(name="notifications.sweep", ignore_result=True, expires=55)
def sweep() -> None:
    found = services.sweep(now=timezone.now())
    for kind, subjects in found["events"].items():
        fan_out.delay(kind, subjects)
    _deliver_in_batches(found["deliveries"])
