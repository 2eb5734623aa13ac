"""A real Celery worker sends a batch's pushes together: with a push service that takes its time
over every answer, the whole batch is in flight at once, and each push is accepted exactly once."""

import pytest
import redis
from django.conf import settings

from notifications.models import Delivery
from notifications.services import notify
from tests.builders import client_for
from tests.factories import UserFactory
from tests.integration.processes import start_worker, stop_worker, wait_for
from tests.notifications.fake_push import Browser, running_push_service, vapid_key_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PEOPLE = 20


def test_a_batch_of_pushes_is_in_flight_at_once_through_a_real_worker_and_each_arrives_once(tmp_path):
    broker = settings.CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    private, public = vapid_key_pair()
    people = [UserFactory.create() for _ in range(PEOPLE)]
    # 0.5 s an answer: one after another, 20 pushes would hold the service 10 s.
    with running_push_service(delay=0.5) as push_service:
        browsers = [Browser.new(push_service.endpoint()) for _ in people]
        for person, browser in zip(people, browsers, strict=True):
            assert browser.subscribe(client_for(person)).status_code == 201
        # One process (`--pool solo`): whatever is in flight together is in flight inside one task.
        worker = start_worker(
            broker=broker,
            log_path=tmp_path / "worker.log",
            env={"VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public},
        )
        try:
            # One event for everyone: its fan-out hands their 40 deliveries to one batch task.
            notify(user_ids=[p.pk for p in people], kind="results_ready", subject="round:88")
            wait_for(lambda: len(push_service.accepted) == PEOPLE, worker, "send every push")
            sent = Delivery.objects.filter(status="sent")
            wait_for(lambda: sent.count() == 2 * PEOPLE, worker, "record every push and email as sent")
        finally:
            stop_worker(worker)
            redis.Redis.from_url(broker).flushdb()

    assert push_service.max_in_flight == PEOPLE
    assert sorted(len(push_service.accepted_for(b.endpoint)) for b in browsers) == [1] * PEOPLE
    assert len(push_service.requests) == PEOPLE
    assert all(d.attempts == 1 for d in Delivery.objects.all())
