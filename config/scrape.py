"""/metrics, for Prometheus: who may read it, the counts of every process (foundation/metrics.py), and
what is true now (queue lengths, the oldest delivery still waiting, the last tick), read from the
database and the broker as it is asked, so that it holds whichever processes run or have died."""

import hmac
import logging
from collections.abc import Iterator, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import cast

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from kombu.exceptions import ChannelError
from kombu.transport.virtual import Channel as VirtualChannel
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from checkin.models import SchedulerHeartbeat
from checkin.scheduler import HEARTBEAT
from config import exceptions
from config.celery import app as celery_app
from couples.throttles import client_address
from foundation import metrics
from notifications.models import Delivery

log = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
# Headers a proxy adds to say whom it forwards for.
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def may_read(request: HttpRequest) -> bool:
    """From an address the deployment allows (METRICS_ALLOWED_ADDRESSES), or with its token.

    The address is the client's as the named proxies vouch for it (couples/throttles.py), so a
    forged X-Forwarded-For cannot claim loopback. A request that says it was forwarded but did not
    come from a named proxy is refused too: a proxy on the same host that the deployment forgot to
    name in TRUSTED_PROXIES would otherwise bring the whole internet in from 127.0.0.1.
    """
    if settings.METRICS_TOKEN:
        given = request.headers.get("authorization", "").encode()
        if hmac.compare_digest(given, f"Bearer {settings.METRICS_TOKEN}".encode()):
            return True
    peer = request.META.get("REMOTE_ADDR", "")
    forwarded_for = request.headers.get("x-forwarded-for")
    if any(name in request.headers for name in FORWARDING_HEADERS) and not _within(peer, settings.TRUSTED_PROXIES):
        return False
    address = client_address(remote_addr=peer, forwarded_for=forwarded_for, trusted_proxies=settings.TRUSTED_PROXIES)
    return _within(address, settings.METRICS_ALLOWED_ADDRESSES)


def _within(text: str, networks: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        address = ip_address(text)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:  # ::ffff:127.0.0.1 on a dual-stack socket
        address = address.ipv4_mapped
    return any(address in network for network in networks)


class Now(Collector):
    """The gauges read when scraped."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        try:
            last_tick = SchedulerHeartbeat.objects.filter(name=HEARTBEAT).values_list("completed_at", flat=True).first()
            # Due and not yet sent: waiting for a worker (the partial index delivery_due_idx).
            oldest_due = Delivery.objects.filter(status=Delivery.Status.PENDING, due_at__lte=now).aggregate(
                oldest=Min("due_at")
            )["oldest"]
        except DatabaseError:
            log.warning("metrics: the database did not answer", exc_info=True)
        else:
            yield GaugeMetricFamily(
                "tandem_scheduler_last_tick_age_seconds",
                "Seconds since the tick last completed (+Inf: it never has). It runs every minute.",
                value=(now - last_tick).total_seconds() if last_tick else float("inf"),
            )
            yield GaugeMetricFamily(
                "tandem_deliveries_oldest_pending_age_seconds",
                "Seconds the oldest delivery that is due has waited to be sent (0: none waits).",
                value=(now - oldest_due).total_seconds() if oldest_due else 0.0,
            )
        lengths = _queue_lengths()
        if lengths is not None:
            queues = GaugeMetricFamily(
                "tandem_broker_queue_messages", "Messages waiting in the broker's queues.", labels=["queue"]
            )
            for queue, length in lengths.items():
                queues.add_metric([queue], length)
            yield queues


def _queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each queue the workers serve; None when the broker does not answer."""
    try:
        with celery_app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            channel = cast(VirtualChannel, connection.default_channel)  # every transport Tandem uses
            lengths = {}
            for queue in settings.CELERY_TASK_QUEUES:
                try:
                    lengths[queue.name] = channel.queue_declare(queue=queue.name, passive=True).message_count
                except ChannelError:  # a queue nothing was ever put on, or emptied (Redis drops it)
                    lengths[queue.name] = 0
            return lengths
    except Exception:
        log.warning("metrics: the broker did not answer", exc_info=True)
        return None


def metrics_page(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format; to anyone not allowed, the 404 of a path that does not exist."""
    if not may_read(request):
        return exceptions.not_found(request)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = HttpResponse(metrics.exposition(Now()), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
