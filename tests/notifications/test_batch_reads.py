"""A batch of deliveries is read in a fixed number of queries, whatever its size: the batch reads
only some columns (notifications/sending.py), and one it needs but did not read would be fetched
again for every delivery."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import channels, sending, services
from notifications.models import Delivery, Notification, Preferences, PushSubscription
from tests.factories import UserFactory
from tests.notifications.fake_push import Browser


def deliveries_of(people: int, push_service) -> list[int]:
    """Pushes and emails of `people` people, some with preferences of their own."""
    for number in range(people):
        person = UserFactory.create(timezone="Europe/Berlin")
        browser = Browser.new(push_service.endpoint())
        PushSubscription.objects.create(
            user=person, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
        if number % 2:
            Preferences.objects.create(user=person, push=True, email=True)
        Notification.objects.create(user=person, kind="results_ready", subject="round:1", title="Ready", body="Look")
    return services.fan_out(kind="results_ready", subjects=["round:1"])


def reads_to_send(delivery_ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        attempts = sending.deliveries_send(delivery_ids=delivery_ids)
    assert {attempt.status for attempt in attempts.values()} == {"sent"}
    return sum(1 for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("SELECT"))


@pytest.mark.django_db
def test_a_batch_of_forty_is_read_in_as_many_queries_as_a_batch_of_four(push_service, vapid):
    small = reads_to_send(deliveries_of(2, push_service))
    large = reads_to_send(deliveries_of(20, push_service))
    assert small == large
    assert len(push_service.accepted) == 22


def backends() -> int | None:
    """The connections open to the test database (PostgreSQL only: SQLite has no server to ask)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


class ReadsWhatTheBatchDidNotLoad(channels.PushChannel):
    """A channel of tomorrow that reads a field sending._READ does not list."""

    def send(self, delivery):
        _ = delivery.notification.data
        super().send(delivery)


@pytest.mark.django_db
def test_a_channel_reading_a_field_the_batch_did_not_load_fails_clearly_and_leaves_no_connection_open(
    push_service, vapid, monkeypatch
):
    monkeypatch.setitem(channels.CHANNELS, Delivery.Channel.PUSH, ReadsWhatTheBatchDidNotLoad())
    pushes = [
        pk for pk in deliveries_of(3, push_service) if Delivery.objects.get(pk=pk).channel == Delivery.Channel.PUSH
    ]
    before = backends()
    attempts = sending.deliveries_send(delivery_ids=pushes)
    assert {attempt.status for attempt in attempts.values()} == {"retry"}
    assert push_service.requests == []
    assert set(Delivery.objects.filter(pk__in=pushes).values_list("last_error", flat=True)) == {
        "unexpected QueryInSendingThread"
    }
    assert backends() == before
