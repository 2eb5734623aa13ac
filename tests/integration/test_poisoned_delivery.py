"""A subscription that breaks the push library, among good ones, sent by a real Celery worker: every
good reminder arrives exactly once and the bad one waits for its retry, failing alone."""

import pytest
import redis
from django.conf import settings

from notifications import services
from notifications.models import Delivery, PushSubscription
from tests.builders import client_for
from tests.factories import UserFactory
from tests.integration.processes import start_worker, stop_worker, wait_for
from tests.notifications.fake_push import Browser, running_push_service, vapid_key_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_batch_with_one_poisoned_delivery_delivers_every_good_one_exactly_once(tmp_path):
    broker = settings.CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    private, public = vapid_key_pair()
    people = [UserFactory.create() for _ in range(6)]
    with running_push_service() as push_service:
        browsers = []
        for index, person in enumerate(people):
            if index == 2:  # a row from before keys were checked: pywebpush raises on its key
                PushSubscription.objects.create(user=person, endpoint=push_service.endpoint(), p256dh="x", auth="x")
                continue
            browser = Browser.new(push_service.endpoint())
            assert browser.subscribe(client_for(person)).status_code == 201
            browsers.append(browser)
        worker = start_worker(
            broker=broker,
            log_path=tmp_path / "worker.log",
            env={"VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public},
        )
        try:
            # One event for all six: its fan-out sends their deliveries in one batch.
            services.notify(user_ids=[p.pk for p in people], kind="results_ready", subject="round:77")
            wait_for(lambda: len(push_service.accepted) == 5, worker, "send the five good pushes")
            poisoned = Delivery.objects.filter(channel=Delivery.Channel.PUSH, subscription__p256dh="x")
            wait_for(lambda: poisoned.filter(last_error="unexpected Error").exists(), worker, "record the bad one")
        finally:
            stop_worker(worker)
            redis.Redis.from_url(broker).flushdb()

    assert sorted(len(push_service.accepted_for(b.endpoint)) for b in browsers) == [1] * 5
    bad = poisoned.get()
    assert (bad.status, bad.attempts) == ("pending", 1)  # waits for its retry, within the limit
    sent = Delivery.objects.filter(channel=Delivery.Channel.PUSH, status="sent")
    assert sent.count() == 5 and all(d.attempts == 1 for d in sent)
