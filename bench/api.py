"""Scenario 3, the API under load: gunicorn on config.wsgi (bench settings), driven from outside.

Pass 1, saturation: `wrk -t2 -c16 --latency` per endpoint (after a short warm-up), giving
requests/s and p50/p95/p99 (p95 from bench/wrk_report.lua's `done` callback). The bare endpoint
runs first and again after each other endpoint; each endpoint's share is read against the mean of
the bare runs on either side of it.
Pass 2, fixed rate: bench/loadgen.py, an open-loop generator in its own process, sends to each
endpoint at 50% of the bare endpoint's saturation rate (the median of its runs), three times in
turn, and reports each run's p99, their median, and p50/p95/p99 of all runs' latencies pooled.

The read endpoints are called as one partner of a couple with 52 revealed rounds and an open
round they answered; the PUT as the answering partners of seed.ANSWERING_COUPLES other couples, in
turn, each editing their own open round (bench/seed.py: api_couple). Every request carries
`Authorization: Token <key>` of its caller.
"""

from __future__ import annotations

import json
import runpy
import statistics
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from bench import common, loadgen
from bench.seed import ApiCouple

PORT = common.API_PORT
FIXED_RATE_RUNS = 3
# The same settings as production (README): the workers are (2 x cores) + 1.
GUNICORN_CONFIG = common.ROOT / "config" / "gunicorn.conf.py"
RESPONSE_BODY = json.dumps({"connection": 3, "independence": 4, "note": "Still thinking it over.", "private_note": ""})


@dataclass(frozen=True)
class Caller:
    token: str
    path: str


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    callers: tuple[Caller, ...]  # requests take them in turn
    body: str | None = None


def endpoints(couple: ApiCouple) -> list[Endpoint]:
    """The bare baseline first: the others are read as a fraction of it."""

    def reader(path: str) -> tuple[Caller, ...]:
        return (Caller(couple.token, path),)

    answerers = tuple(Caller(a.token, f"/api/v1/checkins/{a.open_round_id}/response") for a in couple.answerers)
    return [
        Endpoint("bare (constant)", "GET", reader("/api/v1/bench/constant")),
        Endpoint("GET checkins/current", "GET", reader("/api/v1/checkins/current")),
        Endpoint("PUT checkins/{id}/response", "PUT", answerers, RESPONSE_BODY),
        Endpoint("GET checkins (history p.1)", "GET", reader("/api/v1/checkins")),
    ]


def _targets_file(endpoint: Endpoint) -> str:
    """The endpoint's callers as "<token> <path>" lines, for wrk_report.lua and loadgen.py."""
    common.LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = common.LOG_DIR / "api-targets.txt"
    path.write_text("".join(f"{caller.token} {caller.path}\n" for caller in endpoint.callers))
    return str(path)


@dataclass(frozen=True)
class Saturation:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # connect/read/write errors, timeouts and non-2xx answers


@dataclass(frozen=True)
class FixedRate:
    rate: float
    send_rate: float
    sent: int
    ok: int  # 2xx answers; the others are in `errors`, by kind (TimeoutError: no answer within 10 s)
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: dict[str, int]
    seconds: tuple[dict, ...]  # per second of sending: {"second", "ok", "p50_ms", "max_ms"}
    latencies_ms: tuple[float, ...]  # of every answered request, sorted


@dataclass
class EndpointResult:
    endpoint: Endpoint
    saturation: Saturation
    # The bare endpoint's requests/s that this endpoint's share is read against: the mean of the
    # bare runs just before and just after it (for the bare row, its own: the run nearest the median).
    bare_requests_per_second: float
    fixed_runs: list[FixedRate] = field(default_factory=list)

    @property
    def share_of_bare(self) -> float:
        return self.saturation.requests_per_second / self.bare_requests_per_second

    @property
    def fixed_p99_median_ms(self) -> float:
        """The median of the runs' p99: the p99 a typical 10-second window shows."""
        return statistics.median(run.p99_ms for run in self.fixed_runs)

    def fixed_pooled_ms(self, fraction: float) -> float:
        """A percentile of all the runs' latencies together."""
        return loadgen.percentile(sorted(value for run in self.fixed_runs for value in run.latencies_ms), fraction)

    @property
    def fixed_failed(self) -> int:
        return sum(run.sent - run.ok for run in self.fixed_runs)


def _url(path: str) -> str:
    return f"http://127.0.0.1:{PORT}{path}"


def _call(endpoint: Endpoint, caller: Caller) -> int:
    request = urllib.request.Request(
        _url(caller.path),
        method=endpoint.method,
        data=endpoint.body.encode() if endpoint.body else None,
        headers={"Authorization": f"Token {caller.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def get_current(token: str) -> int:
    """One GET checkins/current as the caller of `token`; its status."""
    endpoint = Endpoint("GET checkins/current", "GET", (Caller(token, "/api/v1/checkins/current"),))
    return _call(endpoint, endpoint.callers[0])


def gunicorn_workers() -> int:
    return runpy.run_path(str(GUNICORN_CONFIG))["workers"]


def start_gunicorn() -> subprocess.Popen:
    # The Procfile's web process, as production runs it, on the bench's port.
    process = common.start(
        common.procfile_command("web", "--bind", f"127.0.0.1:{PORT}", "--backlog", "2048"), log_name="gunicorn.log"
    )

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{(common.LOG_DIR / 'gunicorn.log').read_text()[-3000:]}")
        try:
            urllib.request.urlopen(_url("/healthz"), timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # it answers: a 503 only says the tick has not run lately (before a herd)
        except (urllib.error.URLError, OSError):
            return False

    try:
        common.wait_until(up, timeout=60, what="gunicorn to answer /healthz")
    except BaseException:
        common.stop(process)
        raise
    return process


def wrk(endpoint: Endpoint, *, seconds: float) -> Saturation:
    first = endpoint.callers[0]
    command = [
        common.wrk_path() or "wrk",
        "-t2",
        "-c16",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(common.ROOT / "bench" / "wrk_report.lua"),
    ]
    targets = ""
    if len(endpoint.callers) == 1:
        command += ["-H", f"Authorization: Token {first.token}"]
    else:
        targets = _targets_file(endpoint)
    command.append(_url(first.path))
    env = common.child_env(BENCH_METHOD=endpoint.method, BENCH_BODY=endpoint.body or "", BENCH_TARGETS=targets)
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data[key] for key in ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx"))
    return Saturation(
        requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
    )


def fixed_rate(endpoint: Endpoint, *, rate: float, seconds: float) -> FixedRate:
    first = endpoint.callers[0]
    command = [
        str(common.PYTHON),
        str(common.ROOT / "bench" / "loadgen.py"),
        "--url",
        _url(first.path),
        "--method",
        endpoint.method,
        "--rate",
        f"{rate:.1f}",
        "--duration",
        f"{seconds:g}",
    ]
    if len(endpoint.callers) == 1:
        command += ["--header", f"Authorization: Token {first.token}"]
    else:
        command += ["--targets", _targets_file(endpoint)]
    if endpoint.body:
        command += ["--body", endpoint.body]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    data = json.loads(output.strip().splitlines()[-1])
    return FixedRate(
        seconds=tuple(data["seconds"]),
        latencies_ms=tuple(data["latencies_ms"]),
        rate=rate,
        send_rate=data["send_rate"],
        sent=data["sent"],
        ok=data["ok"],
        p50_ms=data["p50_ms"],
        p95_ms=data["p95_ms"],
        p99_ms=data["p99_ms"],
        errors=data["errors"],
    )


def run(couple: ApiCouple, *, seconds: float, warmup: float) -> tuple[list[float], list[EndpointResult]]:
    """The bare endpoint's requests/s in each of its runs, in order; and every endpoint's results,
    the bare one first."""
    process = start_gunicorn()
    try:
        targets = endpoints(couple)
        for endpoint in targets:
            for caller in endpoint.callers:
                status = _call(endpoint, caller)
                if status != 200:
                    raise RuntimeError(
                        f"{endpoint.method} {caller.path} answered {status}, not 200: see var/bench/gunicorn.log"
                    )

        def saturate(endpoint: Endpoint) -> Saturation:
            wrk(endpoint, seconds=warmup)
            return wrk(endpoint, seconds=seconds)

        # The machine's capacity drifts from minute to minute (bare's throughput moved by a third
        # between runs of the same code), so the bare endpoint is measured again after each other
        # endpoint, and each endpoint is read against the bare runs on either side of it.
        bare, *others = targets
        bare_runs = [saturate(bare)]
        results = []
        for endpoint in others:
            saturation = saturate(endpoint)
            bare_runs.append(saturate(bare))
            reference = statistics.mean(run.requests_per_second for run in bare_runs[-2:])
            results.append(EndpointResult(endpoint=endpoint, saturation=saturation, bare_requests_per_second=reference))
        median = statistics.median(run.requests_per_second for run in bare_runs)
        # The bare row shows the run nearest the median (with an even count, the median falls between two).
        shown = min(bare_runs, key=lambda run: (abs(run.requests_per_second - median), -run.requests_per_second))
        results.insert(0, EndpointResult(bare, shown, bare_requests_per_second=shown.requests_per_second))
        rate = median * 0.5
        # The machine's capacity also dips for a second or a few now and then (bench/RESULTS.md):
        # a 10-second window's p99 depends on whether one fell in it. So the open-loop pass runs
        # FIXED_RATE_RUNS times, the endpoints in turn each time.
        for _ in range(FIXED_RATE_RUNS):
            for result in results:
                result.fixed_runs.append(fixed_rate(result.endpoint, rate=rate, seconds=seconds))
        return [run.requests_per_second for run in bare_runs], results
    finally:
        common.stop(process)
