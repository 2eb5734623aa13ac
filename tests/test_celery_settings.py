"""Celery cannot lose or loop: late acks, a deliberate choice on lost workers, and no delay
longer than the broker's visibility timeout."""

from django.conf import settings

from config.celery import app
from notifications import sending


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_is_lost():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_one_visibility_timeout_everywhere_it_must_be_set():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT_SECONDS
    assert app.conf.broker_transport_options["visibility_timeout"] == timeout
    # No result backend keeps anything (tasks' results are ignored), so it needs no timeout.
    assert app.conf.result_backend is None and app.conf.task_ignore_result is True


def test_no_countdown_retry_delay_or_expiry_is_longer_than_the_visibility_timeout():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT_SECONDS
    assert settings.MAX_TASK_DELAY_SECONDS < timeout
    # Backoff of the last allowed attempt, before it is capped by MAX_TASK_DELAY_SECONDS.
    assert sending.BACKOFF_BASE_SECONDS < settings.MAX_TASK_DELAY_SECONDS
    for task in app.tasks.values():
        if task.name.startswith("celery."):
            continue
        assert (getattr(task, "retry_backoff_max", 0) or 0) < timeout, task.name
        assert (getattr(task, "default_retry_delay", 0) or 0) < timeout, task.name
        assert (task.expires or 0) < timeout, task.name
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["schedule"] < timeout
    # The deliver task's own retries: tests/notifications/test_push_delivery.py.


def test_sending_has_a_queue_of_its_own_so_a_herd_of_sends_never_delays_the_tick():
    def queue_of(name: str) -> str:
        return app.amqp.router.route({}, name)["queue"].name

    assert queue_of("notifications.deliver") == queue_of("notifications.deliver_batch") == "deliver"
    assert queue_of("checkin.tick") == queue_of("notifications.fan_out") == "celery"
    assert set(settings.WORKER_QUEUES.split(",")) == {"celery", "deliver"}
