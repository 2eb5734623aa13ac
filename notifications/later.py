"""Work notifications hands to the Celery workers, sent by the task's name: the services enqueue
it without importing notifications/tasks.py, which imports them (tasks stay thin: ids in, a
service called). The names are the tasks' own (`name=` in tasks.py)."""

from celery import current_app

FAN_OUT = "notifications.fan_out"
DELIVER_BATCH = "notifications.deliver_batch"


def fan_out(kind: str, subjects: list[str]) -> None:
    """Queue making the deliveries of these events' notifications."""
    current_app.send_task(FAN_OUT, args=(kind, subjects))


def deliver(delivery_ids: list[int]) -> None:
    """Queue sending these deliveries (on the deliver queue, by the task routes)."""
    current_app.send_task(DELIVER_BATCH, args=(delivery_ids,))
