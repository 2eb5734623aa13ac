"""What Tandem counts for Prometheus, defined once: every process (web workers, Celery workers)
counts here, and /metrics (config/scrape.py) sums the counts of them all.

prometheus-client's multiprocess mode: each process writes its counts to files of its own (named by
its pid) in settings.METRICS_DIR, and a scrape adds the files up. A forked process (a gunicorn
worker, a Celery prefork child) notices that its pid changed and opens files of its own. The files
of a process that has exited are kept, so that totals never go backwards; the folder is emptied
only when every process is stopped (docs/metrics.md). Nothing here is a gauge kept by a process:
what is true now (queue lengths, the oldest pending delivery, the last tick) is read from the
database and the broker when scraped, which stays right whatever the processes do.

No label holds a person, a couple, an address or anything said: only routes, channels, outcomes
and status codes, each from a short fixed list.
"""

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# The client chooses how values are kept when it is first imported, by this variable; whatever
# imported it first (the /metrics view), the metrics below are made in multiprocess mode.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(settings.METRICS_DIR)
Path(settings.METRICS_DIR).mkdir(parents=True, exist_ok=True)
if not getattr(values.ValueClass, "_multiprocess", False):
    values.ValueClass = values.MultiProcessValue()

HTTP_REQUESTS = Counter(
    "tandem_http_requests",
    "HTTP requests answered, by route name (not path), method and status code.",
    ["view", "method", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "tandem_http_request_duration_seconds",
    "Time from a request's arrival in Django to its answer, by route name and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# The methods a label may hold: any other (a client may send any word) is counted as "other".
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

ROUNDS_OPENED = Counter("tandem_rounds_opened", "Rounds opened, by the schedule or by 'check in now'.")
ROUNDS_REVEALED = Counter("tandem_rounds_revealed", "Rounds revealed by their second answer.")
ROUNDS_EXPIRED = Counter("tandem_rounds_expired", "Rounds closed with fewer than two answers.")

DELIVERIES = Counter(
    "tandem_deliveries",
    "Delivery attempts by channel and outcome: sent; retried (a temporary failure, to be tried "
    "again); gone (the push subscription no longer exists); failed (for good); skipped (no longer wanted).",
    ["channel", "outcome"],
)
PUSH_ANSWERS = Counter(
    "tandem_push_answers",
    "Answers of the push services, by status class (2xx, 4xx, 5xx); `none` when none came "
    "(a connection refused, a timeout).",
    ["status_class"],
)


def count_after_commit(counter: Counter, amount: int = 1) -> None:
    """Count an event once the transaction that made it commits: a rolled back one never happened
    (outside a transaction, at once)."""
    if amount:
        transaction.on_commit(lambda: counter.inc(amount))


def delivery_counted(*, channel: str, outcome: str) -> None:
    DELIVERIES.labels(channel, outcome).inc()


def push_answer_counted(status: int | None) -> None:
    PUSH_ANSWERS.labels("none" if status is None else f"{status // 100}xx").inc()


def exposition(*collectors: Collector) -> bytes:
    """The counts of every process of the host, summed, and what `collectors` read now, in the
    Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=settings.METRICS_DIR)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
