"""An open-loop, fixed-rate HTTP load generator (wrk can only saturate, not hold a rate).

Request i is sent at start + i / rate whatever happened to the earlier ones: a slow response
never delays the next request (that would hide the server's queueing, "coordinated omission").
Latency is measured from the instant a request was *scheduled* to be sent to the end of its
response, so time spent waiting for a free connection on this side counts too.

Run as its own process (bench/api.py does); prints one JSON object:

    .venv/bin/python bench/loadgen.py --url http://127.0.0.1:8765/api/v1/bench/constant \
        --rate 300 --duration 10 --header "Authorization: Token abc"

With `--targets FILE` (lines of "<token> <path>" or "<token> <path> <kind>", as for
bench/wrk_report.lua), request i goes to line i's path (in turn) with line i's token, on the host
of `--url`; with kinds (the PUT mix), the report gives each kind's latencies and statuses too, and
`reused` counts the requests sent past the end of the file (to a line called before).

SIGTERM ends the sending early (the herd runs it until the last reminder is accepted); the
requests already sent are awaited and reported as usual.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import signal
import time
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import uvloop

MAX_IN_FLIGHT = 1024  # connections open at once; beyond that requests wait (and that wait counts)
TIMEOUT_SECONDS = 10.0


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class Target:
    path: str
    headers: dict[str, str]
    kind: str = ""


def read_targets(path: str) -> list[Target]:
    targets = []
    with open(path) as lines:
        for line in lines:
            if line.strip():
                token, target_path, *kind = line.split()
                headers = {"Authorization": f"Token {token}"}
                targets.append(Target(path=target_path, headers=headers, kind=kind[0] if kind else ""))
    return targets


def request_bytes(*, method: str, host: str, target: Target, headers: dict[str, str], body: bytes | None) -> bytes:
    """The whole HTTP/1.1 request, written once per target: one request per connection, as the
    server's sync workers close every connection after their answer."""
    lines = [f"{method} {target.path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in {**headers, **target.headers}.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class _Exchange(asyncio.Protocol):
    """One request on its own connection: written when connected, the answer read until the
    server closes. Raw asyncio rather than an HTTP client library, so that the generator costs
    the machine it shares with the server as little as it can (aiohttp cost about 0.6 ms of CPU
    a request here, as much as the bare endpoint itself; this, on uvloop, about 0.25 ms)."""

    def __init__(self, request: bytes, answered: asyncio.Future) -> None:
        self.request, self.answered = request, answered
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        cast(asyncio.Transport, transport).write(self.request)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answered.done():
            if exc is None:
                self.answered.set_result(b"".join(self.chunks))
            else:
                self.answered.set_exception(exc)


def _count(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


async def _one(
    host: str, port: int, request: bytes, kind: str, scheduled: float, results: dict, in_flight: asyncio.Semaphore
) -> None:
    loop = asyncio.get_running_loop()
    transport = None
    try:
        async with in_flight, asyncio.timeout(TIMEOUT_SECONDS):
            answered = loop.create_future()
            transport, _ = await loop.create_connection(lambda: _Exchange(request, answered), host, port)
            answer = await answered
    except (TimeoutError, OSError) as error:
        _count(results["errors"], type(error).__name__)
        _count(results["statuses"].setdefault(kind, {}), type(error).__name__)
        return
    finally:
        if transport is not None:
            transport.abort()
    elapsed = time.perf_counter() - scheduled
    status = int(answer[9:12]) if answer.startswith(b"HTTP/1.") else 0
    _count(results["statuses"].setdefault(kind, {}), str(status))
    if 200 <= status < 300:
        results["latencies"].append(elapsed)
        results["by_send_time"].append((scheduled, elapsed))
        results["by_kind"].setdefault(kind, []).append(elapsed * 1000)
    else:
        _count(results["errors"], f"HTTP {status}")


async def run(
    *,
    url: str,
    targets: list[Target],
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    rate: float,
    duration: float,
) -> dict:
    total = int(rate * duration)
    results: dict = {"latencies": [], "by_send_time": [], "errors": {}, "statuses": {}, "by_kind": {}}
    origin = urlsplit(url)
    host, port = origin.hostname, origin.port or 80
    assert host is not None, f"{url} names no host"
    requests = [
        request_bytes(method=method, host=origin.netloc, target=target, headers=headers, body=body)
        for target in targets
    ]
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    start = time.perf_counter()
    pending = set()
    worst_lag = 0.0
    sent = 0
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if stop.is_set():
            break
        sent += 1
        worst_lag = max(worst_lag, time.perf_counter() - scheduled)
        target = targets[i % len(targets)]
        request = requests[i % len(requests)]
        task = asyncio.create_task(_one(host, port, request, target.kind, scheduled, results, in_flight))
        pending.add(task)
        task.add_done_callback(pending.discard)
    sent_in = time.perf_counter() - start
    if pending:
        await asyncio.gather(*pending)
    latencies_ms = sorted(x * 1000 for x in results["latencies"])
    # Per second of sending: whether a bad p99 is a stall (a few seconds) or steady queueing.
    by_second: dict[int, list[float]] = {}
    for scheduled, elapsed in results["by_send_time"]:
        by_second.setdefault(int(scheduled - start), []).append(elapsed * 1000)
    seconds = [
        {"second": second, "ok": len(values), "p50_ms": percentile(values, 0.5), "max_ms": values[-1]}
        for second, values in sorted((second, sorted(values)) for second, values in by_second.items())
    ]
    return {
        "target_rate": rate,
        "sent": sent,
        "send_rate": sent / sent_in if sent_in else 0.0,
        "ok": len(latencies_ms),
        "errors": results["errors"],
        "worst_send_lag_ms": worst_lag * 1000,
        "p50_ms": percentile(latencies_ms, 0.50),
        "p95_ms": percentile(latencies_ms, 0.95),
        "p99_ms": percentile(latencies_ms, 0.99),
        "max_ms": latencies_ms[-1] if latencies_ms else 0.0,
        "seconds": seconds,
        "reused": max(0, sent - len(targets)),
        # With kinds: each kind's statuses (and exceptions) and latencies of its 2xx answers.
        "statuses": {kind or "-": counts for kind, counts in results["statuses"].items()},
        "by_kind": {
            kind: {"ok": len(values), "p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99)}
            for kind, values in ((kind, sorted(values)) for kind, values in results["by_kind"].items())
            if kind
        },
        # Every answered request's latency, for percentiles pooled over several runs (bench/api.py).
        "latencies_ms": [round(value, 2) for value in latencies_ms],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default=None, help="a JSON body, sent as application/json")
    parser.add_argument("--header", action="append", default=[], help='"Name: value", repeatable')
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    parser.add_argument("--targets", default=None, help='a file of "<token> <path>" lines, called in turn')
    parser.add_argument("--out", default=None, help="write the JSON here rather than to stdout")
    args = parser.parse_args()
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {name.strip(): value.strip() for name, value in headers.items()}
    body = args.body.encode() if args.body is not None else None
    path = urlsplit(args.url)._replace(scheme="", netloc="").geturl() or "/"
    targets = read_targets(args.targets) if args.targets else [Target(path=path, headers={})]
    result = uvloop.run(
        run(
            url=args.url,
            targets=targets,
            method=args.method,
            body=body,
            headers=headers,
            rate=args.rate,
            duration=args.duration,
        )
    )
    if args.out:
        # A file, not a pipe: a long herd's report is larger than a pipe holds.
        with open(args.out, "w") as out:
            json.dump(result, out)
    else:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
