"""Scenario 3, the API under load: gunicorn on config.wsgi (bench settings), driven from outside.

Pass 1, saturation: `wrk -t2 -c16 --latency` per endpoint (after a short warm-up), giving
requests/s and p50/p95/p99 (p95 from bench/wrk_report.lua's `done` callback). The bare endpoint
runs first and again after each other endpoint; each endpoint's share is read against the mean of
the bare runs on either side of it.
Pass 2, fixed rate: bench/loadgen.py, an open-loop generator in its own process, sends to each
endpoint at 50% of the bare endpoint's saturation rate (the median of its runs), three times in
turn, and reports each run's p99, their median, and p50/p95/p99 of all runs' latencies pooled; the
PUT mix, which holds only about a quarter of bare's rate, at a rate of its own (`put_rate`, or half
its own saturation rate), with each kind's statuses and latencies.

The read endpoints are called as one partner of a couple with 52 revealed rounds and an open
round they answered. The PUT is the answer mix (seed.PUT_MIX: per 10, 3 first answers, 3 first
answers that reveal, 4 edits of an unrevealed answer), each request as the caller of a couple of
its own (bench/seed.py: answer_mix), used once: every wrk or loadgen run gets a fresh slice of the
targets, and a request that had to call a target again counts as an error. Every request carries
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
from bench.seed import ApiCouple, MixTarget

PORT = common.API_PORT
FIXED_RATE_RUNS = 3
FIXED_RATE_SHARE = 0.5  # of the bare endpoint's saturation rate (bench/run.py's target)
# The same settings as production (README): the workers are (2 x cores) + 1.
GUNICORN_CONFIG = common.ROOT / "config" / "gunicorn.conf.py"
# How many requests a second the slices of single-use targets are cut for, at most: the bare
# endpoint's best run (no endpoint outruns it), with room for one wrk thread running ahead.
SLICE_MARGIN = 1.5
RESPONSE_BODY = json.dumps({"connection": 3, "independence": 4, "note": "Still thinking it over.", "private_note": ""})


@dataclass(frozen=True)
class Caller:
    token: str
    path: str
    kind: str = ""  # of a PUT of the mix (seed.PUT_MIX)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    callers: tuple[Caller, ...]  # requests take them in turn
    body: str | None = None
    # The callers are a pool of targets to call once each (the PUT mix: a first answer is sent once).
    single_use: bool = False


def endpoints(couple: ApiCouple, mix: tuple[MixTarget, ...], *, cursor: str = "") -> list[Endpoint]:
    """The bare baseline first: the others are read as a fraction of it. `cursor`: the API
    couple's live cursor (first_cursor), which the live endpoint is asked with."""

    def reader(path: str) -> tuple[Caller, ...]:
        return (Caller(couple.token, path),)

    answerers = tuple(Caller(t.token, f"/api/v1/checkins/{t.round_id}/response", t.kind) for t in mix)
    return [
        Endpoint("bare (constant)", "GET", reader("/api/v1/bench/constant")),
        Endpoint("GET checkins/current", "GET", reader("/api/v1/checkins/current")),
        Endpoint("PUT checkins/{id}/response (mix)", "PUT", answerers, RESPONSE_BODY, single_use=True),
        Endpoint("GET checkins (history p.1)", "GET", reader("/api/v1/checkins")),
        # What every open app asks while it waits on the partner (couples/live.py): nothing moved, a 204.
        Endpoint("GET changes (nothing moved)", "GET", reader(f"/api/v1/changes?since={cursor}")),
    ]


def first_cursor(token: str) -> str:
    """The live cursor of the caller of `token`, from the running server."""
    request = urllib.request.Request(_url("/api/v1/changes"), headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["cursor"]


def _targets_file(callers: tuple[Caller, ...]) -> str:
    """Callers as "<token> <path>[ <kind>]" lines, for wrk_report.lua and loadgen.py."""
    common.LOG_DIR.mkdir(parents=True, exist_ok=True)
    path = common.LOG_DIR / "api-targets.txt"
    path.write_text("".join(f"{caller.token} {caller.path} {caller.kind}".rstrip() + "\n" for caller in callers))
    return str(path)


class Pool:
    """The single-use targets of an endpoint, handed out in fresh slices."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint, self.used = endpoint, 0

    def take(self, count: int) -> tuple[Caller, ...]:
        callers = self.endpoint.callers
        if not self.endpoint.single_use:
            return callers
        if self.used + count > len(callers):
            raise RuntimeError(
                f"{self.endpoint.name}: {count:,} more targets wanted, {len(callers) - self.used:,} left of"
                f" {len(callers):,}: seed more (bench/run.py, mix_targets)"
            )
        self.used += count
        return callers[self.used - count : self.used]


@dataclass(frozen=True)
class Saturation:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # connect/read/write errors, timeouts, non-2xx answers and calls of a used target


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
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # by kind of the mix: {status: count}
    by_kind: dict[str, dict] = field(default_factory=dict)  # {kind: {"ok", "p50_ms", "p99_ms"}}


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


WRK_THREADS = 2


def wrk(endpoint: Endpoint, *, seconds: float, callers: tuple[Caller, ...] | None = None) -> Saturation:
    """`callers`: the slice of a single-use endpoint's targets that this run may call."""
    callers = callers or endpoint.callers
    first = callers[0]
    command = [
        common.wrk_path() or "wrk",
        f"-t{WRK_THREADS}",
        "-c16",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(common.ROOT / "bench" / "wrk_report.lua"),
    ]
    targets = ""
    if len(callers) == 1:
        command += ["-H", f"Authorization: Token {first.token}"]
    else:
        targets = _targets_file(callers)
    command.append(_url(first.path))
    env = common.child_env(
        BENCH_METHOD=endpoint.method,
        BENCH_BODY=endpoint.body or "",
        BENCH_TARGETS=targets,
        BENCH_SINGLE_USE="1" if endpoint.single_use else "",
        BENCH_THREADS=str(WRK_THREADS),
    )
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    keys = ("connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx", "reused")
    errors = sum(data[key] for key in keys)
    return Saturation(
        requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
    )


def fixed_rate(
    endpoint: Endpoint, *, rate: float, seconds: float, callers: tuple[Caller, ...] | None = None
) -> FixedRate:
    callers = callers or endpoint.callers
    first = callers[0]
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
    if len(callers) == 1:
        command += ["--header", f"Authorization: Token {first.token}"]
    else:
        command += ["--targets", _targets_file(callers)]
    if endpoint.body:
        command += ["--body", endpoint.body]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    data = json.loads(output.strip().splitlines()[-1])
    errors = dict(data["errors"])
    if endpoint.single_use and data["reused"]:
        errors["target called again"] = data["reused"]
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
        errors=errors,
        statuses=data["statuses"],
        by_kind=data["by_kind"],
    )


def run(
    couple: ApiCouple,
    mix: tuple[MixTarget, ...],
    *,
    seconds: float,
    warmup: float,
    only: set[str] | None = None,
    put_rate: float | None = None,
) -> tuple[list[float], list[EndpointResult]]:
    """The bare endpoint's requests/s in each of its runs, in order; and every endpoint's results,
    the bare one first. `only`: the names of the endpoints to run besides the bare one (all if None).
    `put_rate`: the fixed rate of the PUT mix (default: half its own saturation rate, see below)."""
    process = start_gunicorn()
    try:
        targets = [
            endpoint
            for index, endpoint in enumerate(endpoints(couple, mix, cursor=first_cursor(couple.token)))
            if index == 0 or only is None or endpoint.name in only
        ]
        pools = {endpoint.name: Pool(endpoint) for endpoint in targets}
        for endpoint in targets:
            # A single-use endpoint's first target of each kind (which are then used up).
            checked = (
                endpoint.callers
                if not endpoint.single_use
                else tuple({caller.kind: caller for caller in reversed(pools[endpoint.name].take(20))}.values())
            )
            for caller in checked:
                status = _call(endpoint, caller)
                if status not in (200, 204):
                    raise RuntimeError(
                        f"{endpoint.method} {caller.path} ({caller.kind or 'read'}) answered {status}, not 2xx:"
                        " see var/bench/gunicorn.log"
                    )
        bare_runs: list[Saturation] = []

        def slice_for(endpoint: Endpoint, requests: float) -> tuple[Caller, ...]:
            return pools[endpoint.name].take(int(requests) + 1)

        def saturate(endpoint: Endpoint) -> Saturation:
            # No endpoint outruns the bare one's best run (the first bare run: the stack's own ceiling).
            ceiling = max((run.requests_per_second for run in bare_runs), default=0) * SLICE_MARGIN
            wrk(endpoint, seconds=warmup, callers=slice_for(endpoint, ceiling * warmup))
            return wrk(endpoint, seconds=seconds, callers=slice_for(endpoint, ceiling * seconds))

        # The machine's capacity drifts from minute to minute (bare's throughput moved by a third
        # between runs of the same code), so the bare endpoint is measured again after each other
        # endpoint, and each endpoint is read against the bare runs on either side of it.
        bare, *others = targets
        bare_runs.append(saturate(bare))
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
        rate = median * FIXED_RATE_SHARE

        # The machine's capacity also dips for a second or a few now and then (bench/RESULTS.md):
        # a 10-second window's p99 depends on whether one fell in it. So the open-loop pass runs
        # FIXED_RATE_RUNS times, the endpoints in turn each time.
        # The PUT mix holds about a quarter of bare's rate: at half of bare it would only measure its
        # queue growing. It runs at a rate of its own, the same for the versions compared.
        def rate_of(result: EndpointResult) -> float:
            if not result.endpoint.single_use:
                return rate
            return put_rate or result.saturation.requests_per_second * FIXED_RATE_SHARE

        for _ in range(FIXED_RATE_RUNS):
            for result in results:
                own = rate_of(result)
                callers = slice_for(result.endpoint, own * seconds)
                result.fixed_runs.append(fixed_rate(result.endpoint, rate=own, seconds=seconds, callers=callers))
        return [run.requests_per_second for run in bare_runs], results
    finally:
        common.stop(process)
