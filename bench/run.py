"""`make bench`: Tandem's performance benchmark on local PostgreSQL and Redis. See bench/README.md.

    .venv/bin/python bench/run.py                      # 100,000 couples; scaling at 1k, 10k, 100k
    .venv/bin/python bench/run.py --quick              # a smoke run of a minute or two
    .venv/bin/python bench/run.py --write bench/RESULTS.md

For each size (smallest first) it empties the bench database, seeds N couples all due in the
same minute, times the thundering herd through a real Celery worker (bench/herd.py), then times
the quiet tick (bench/quiet.py). At the largest size it then loads the API through gunicorn with
wrk and an open-loop generator (bench/api.py). It prints the results with each target's
PASS/MISS and writes them as Markdown to var/bench/last-run.md (and to --write, if given).

It owns the database `tandem_bench` (dropped and recreated) and Redis database 11 (flushed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# The project root instead of bench/ itself: `bench` and `config` import as packages.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench import common  # noqa: E402

# Targets: PASS/MISS is printed next to each.
HERD_SECONDS_MAX = 60.0  # the tick's part: every round open
LAST_REMINDER_SECONDS_MAX = 300.0  # every push and email accepted
MEDIAN_REMINDER_SECONDS_MAX = 120.0
HERD_API_P99_MS_MAX = 250.0  # GET checkins/current and history while the herd is sent
WORKER_RSS_MIB_MAX = 300.0
QUIET_TICK_MS_MAX = 50.0
THROUGHPUT_SHARE_MIN = 0.5
FIXED_RATE_P99_MS_MAX = 100.0
FIXED_RATE_SHARE = 0.5  # of the bare endpoint's saturation rate
# The bare endpoint's requests/s that the PUT mix's single-use targets are seeded for: it ran at
# 700-1,000 here; beyond this the API pass stops with "seed more" rather than call a target twice.
MIX_CEILING_PER_SECOND = 1500


@dataclass(frozen=True)
class Options:
    couples: int
    sizes: list[int]
    api_seconds: float
    warmup_seconds: float
    quiet_runs: int
    herd_timeout: float
    deliver_workers: list[int]
    push_latencies_ms: list[float]
    herd_api_rate: float
    open_apps: int
    open_apps_mode: str
    open_apps_answer_after: str
    skip_api: bool
    skip_herd: bool
    api_endpoints: set[str] | None
    api_put_rate: float | None
    write: Path | None
    quick: bool


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description="Tandem's performance benchmark (see bench/README.md).")
    parser.add_argument("--couples", type=int, default=100_000, help="size the targets are judged at (default 100000)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="sizes of the scaling table, comma-separated")
    parser.add_argument(
        "--quick", action="store_true", help="a tiny smoke run: 500 couples, sizes 100,500, short API runs"
    )
    parser.add_argument("--api-seconds", type=float, default=10.0, help="seconds of each measured API run")
    parser.add_argument("--warmup-seconds", type=float, default=3.0, help="seconds of wrk warm-up per endpoint")
    parser.add_argument("--quiet-runs", type=int, default=20, help="quiet ticks timed per size")
    parser.add_argument("--herd-timeout", type=float, default=1800.0, help="seconds before a herd is given up on")
    parser.add_argument(
        "--deliver-workers",
        default="1,2",
        help="`-Q deliver` workers in the herd, comma-separated: each size runs with each (default 1,2)",
    )
    parser.add_argument(
        "--push-latency-ms",
        default="50",
        help="how long the fake push service takes to answer, comma-separated: each size runs with each (default 50)",
    )
    parser.add_argument(
        "--herd-api-rate", type=float, default=50.0, help="GET checkins/current per second during the herd (50)"
    )
    parser.add_argument(
        "--open-apps",
        type=int,
        default=0,
        help="couples of each herd whose app is open meanwhile (bench/open_apps.py; default 0: none)",
    )
    parser.add_argument(
        "--open-apps-mode",
        choices=("live", "poll"),
        default="live",
        help="what the open apps ask: live (GET changes?since=, as the app) or poll (GET checkins/current every 10 s)",
    )
    parser.add_argument(
        "--open-apps-answer-after",
        default="20,180",
        help="seconds after their reminder when the open apps' people answer, from,to (default 20,180)",
    )
    parser.add_argument("--skip-api", action="store_true", help="leave out the API pass")
    parser.add_argument(
        "--skip-herd",
        action="store_true",
        help="seed the largest size only and run neither the herds nor the quiet tick (the API pass alone)",
    )
    parser.add_argument(
        "--api-endpoints",
        default=None,
        help="the API endpoints to run besides the bare one, by name, comma-separated (default all)",
    )
    parser.add_argument(
        "--api-put-rate",
        type=float,
        default=None,
        help="req/s of the PUT mix's fixed-rate runs (default: half its own saturation rate)",
    )
    parser.add_argument("--write", type=Path, default=None, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.couples, args.sizes, args.api_seconds, args.warmup_seconds, args.quiet_runs = 500, "100,500", 3.0, 1.0, 5
        args.deliver_workers = "1"
    sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()} | {args.couples})
    return Options(
        couples=args.couples,
        sizes=sizes,
        api_seconds=args.api_seconds,
        warmup_seconds=args.warmup_seconds,
        quiet_runs=args.quiet_runs,
        herd_timeout=args.herd_timeout,
        deliver_workers=[int(n) for n in args.deliver_workers.split(",") if n.strip()],
        push_latencies_ms=[float(ms) for ms in args.push_latency_ms.split(",") if ms.strip()],
        herd_api_rate=args.herd_api_rate,
        open_apps=args.open_apps,
        open_apps_mode=args.open_apps_mode,
        open_apps_answer_after=args.open_apps_answer_after,
        skip_api=args.skip_api,
        skip_herd=args.skip_herd,
        api_put_rate=args.api_put_rate,
        api_endpoints={name.strip() for name in args.api_endpoints.split(",")} if args.api_endpoints else None,
        write=args.write,
        quick=args.quick,
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _seconds(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def _errors(errors: dict[str, int]) -> str:
    """ "0", or the count and its kinds: "1,948 (TimeoutError 1,948)"."""
    total = sum(errors.values())
    if not total:
        return "0"
    return f"{total:,} (" + ", ".join(f"{kind} {count:,}" for kind, count in sorted(errors.items())) + ")"


def gunicorn_workers() -> int:
    from bench import api  # after django.setup(), as in main()

    return api.gunicorn_workers()


@dataclass(frozen=True)
class ApiPass:
    bare_runs: list[float]  # the bare endpoint's requests/s, first and after each other endpoint
    results: list  # api.EndpointResult, the bare endpoint's first
    autovacuum_runs: int  # PostgreSQL's maintenance that ran during the pass (0 is the clean case)


def render(
    options: Options,
    herds: list,
    quiets: list,
    api_pass: ApiPass | None,
    machine: common.Machine,
    when: datetime,
    loads: list[tuple[str, float]],
) -> str:
    """The whole report as Markdown (it reads fine as plain text too)."""
    lines = [
        f"# Tandem bench, {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"Targets judged at {options.couples:,} couples (sizes run: {', '.join(f'{s:,}' for s in options.sizes)})"
        + (" — QUICK SMOKE RUN, not a measurement" if options.quick else "")
        + ".",
        "",
        "## 1. Thundering herd: all N couples due in the same minute, one `checkin.tick`, until every"
        " reminder is accepted",
        "",
        "Every person has a push subscription and an email address. Workers as in production: one"
        " `-Q celery` worker and the given number of `-Q deliver` workers (Celery's default pool: prefork,"
        " one process per CPU). Times in seconds after the tick; a push counts when the push service has"
        " answered 201, an email when the SMTP server has answered 250. Duplicates and lost messages are"
        " counted by the services themselves, by target. The API column is the p99 of GET"
        f" checkins/current and GET checkins (history), in turn, at {options.herd_api_rate:g} req/s in all, from"
        " just before the tick to the end.",
        "",
        "| couples | deliver workers | push latency (ms) | rounds all open | fanned out | first push | median push"
        " | last push | pushes/s | first email | median email | last email | duplicates (push / email)"
        " | lost (push / email) | API p99 (ms) | RSS tick worker (MiB) | RSS deliver worker (MiB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |",
    ]
    for h in herds:
        push_rate = f"{h.push.per_second:,.0f}" if h.push.per_second else "-"
        timed_out = " (timed out)" if h.timed_out else ""
        api_p99 = f"{h.api_p99_ms:.0f}" if h.api_p99_ms is not None else "-"
        if h.api_errors:
            api_p99 += f" ({_errors(h.api_errors)} errors)"
        lines.append(
            f"| {h.couples:,} | {h.deliver_workers} | {h.push_latency_ms:g} | {_seconds(h.rounds_open_seconds)}"
            f" | {_seconds(h.fanned_out_seconds)} | {_seconds(h.push.first)} | {_seconds(h.push.median)}"
            f" | {_seconds(h.push.last)}{timed_out} | {push_rate}"
            f" | {_seconds(h.email.first)} | {_seconds(h.email.median)}"
            f" | {_seconds(h.email.last)}{timed_out} | {h.push.duplicates:,} / {h.email.duplicates:,}"
            f" | {h.push.lost:,} / {h.email.lost:,} | {api_p99} | {h.max_rss_mib('tick'):.0f}"
            f" | {h.max_rss_mib('deliver'):.0f} |"
        )
    statuses = sorted({status for h in herds for status in h.statuses})
    lines += [
        "",
        "Deliveries by channel and status at the end of each herd:",
        "",
        "| couples | deliver workers | push latency (ms) | " + " | ".join(statuses) + " |",
        "| ---: | ---: | ---: | " + " | ".join("---:" for _ in statuses) + " |",
    ]
    for h in herds:
        counts = " | ".join(f"{h.statuses.get(status, 0):,}" for status in statuses)
        lines.append(f"| {h.couples:,} | {h.deliver_workers} | {h.push_latency_ms:g} | {counts} |")
    roles = list(dict.fromkeys(role for h in herds for role in h.cpu_seconds))
    lines += [
        "",
        "CPU used from the tick to the end of each herd, by process (user + system, from /proc; PostgreSQL"
        " is the bench database's backends and the server's own processes), and per message (a push or an"
        " email; 4 per couple): what a message costs the machine, the outside world's stand-ins included.",
        "",
        "| couples | deliver workers | push latency (ms) | "
        + " | ".join(f"{role} (s)" for role in roles)
        + " | all (s) | ms per message |",
        "| ---: | ---: | ---: | " + " | ".join("---:" for _ in roles) + " | ---: | ---: |",
    ]
    for h in herds:
        used = " | ".join(f"{h.cpu_seconds.get(role, 0):.1f}" for role in roles)
        total = sum(h.cpu_seconds.values())
        lines.append(
            f"| {h.couples:,} | {h.deliver_workers} | {h.push_latency_ms:g} | {used} | {total:.1f}"
            f" | {1000 * total / h.messages:.2f} |"
        )
    lines += _open_apps_lines(herds)
    lines += [
        "",
        "## 2. Quiet minute: the same N couples, none due, one `scheduler.tick` in-process",
        "",
        "| couples | runs | median (ms) | p90 (ms) | max (ms) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for q in quiets:
        lines.append(f"| {q.couples:,} | {q.runs} | {q.median_ms:.1f} | {q.p90_ms:.1f} | {q.max_ms:.1f} |")
    targets: list[tuple[str, str, bool]] = []
    for herd in (h for h in herds if h.couples == options.couples):
        run = f"herd of {herd.couples:,}, {herd.deliver_workers} deliver worker(s), push {herd.push_latency_ms:g} ms"
        targets.append(
            (
                f"{run}: rounds all open < {HERD_SECONDS_MAX:.0f} s",
                f"{_seconds(herd.rounds_open_seconds)} s",
                herd.rounds_open_seconds is not None and herd.rounds_open_seconds < HERD_SECONDS_MAX,
            )
        )
        targets.append(
            (
                f"{run}: every push and email accepted < {LAST_REMINDER_SECONDS_MAX:.0f} s after the tick,"
                " 0 duplicates, 0 lost",
                (f"{_seconds(herd.seconds)} s" if not herd.timed_out else "timed out")
                + f"; duplicates {herd.push.duplicates + herd.email.duplicates},"
                f" lost {herd.push.lost + herd.email.lost}",
                not herd.timed_out
                and herd.seconds < LAST_REMINDER_SECONDS_MAX
                and not (herd.push.duplicates or herd.email.duplicates or herd.push.lost or herd.email.lost),
            )
        )
        medians = [m for m in (herd.push.median, herd.email.median) if m is not None]
        targets.append(
            (
                f"{run}: median push and median email < {MEDIAN_REMINDER_SECONDS_MAX:.0f} s",
                f"{_seconds(herd.push.median)} / {_seconds(herd.email.median)} s",
                len(medians) == 2 and max(medians) < MEDIAN_REMINDER_SECONDS_MAX,
            )
        )
        targets.append(
            (
                f"{run}: API load p99 (GET checkins/current, history) < {HERD_API_P99_MS_MAX:.0f} ms meanwhile,"
                " no errors",
                f"{herd.api_p99_ms:.0f} ms" if herd.api_p99_ms is not None else "-",
                herd.api_p99_ms is not None and herd.api_p99_ms < HERD_API_P99_MS_MAX and not herd.api_errors,
            )
        )
        # Judged per process: VmHWM counts the pages a prefork child shares with its parent (copy
        # on write) in both.
        targets.append(
            (
                f"{run}: worker peak RSS < {WORKER_RSS_MIB_MAX:.0f} MiB per process",
                f"{herd.max_rss_mib():.0f} MiB",
                herd.max_rss_mib() < WORKER_RSS_MIB_MAX,
            )
        )
    for quiet in (q for q in quiets if q.couples == options.couples):  # none with --skip-herd
        targets.append(
            (
                f"quiet tick at {quiet.couples:,} < {QUIET_TICK_MS_MAX:.0f} ms (median)",
                f"{quiet.median_ms:.1f} ms",
                quiet.median_ms < QUIET_TICK_MS_MAX,
            )
        )
    if api_pass:
        api_results = api_pass.results
        runs = len(api_results[0].fixed_runs)
        rate = api_results[0].fixed_runs[0].rate if runs else 0
        lines += [
            "",
            f"## 3. API under load: gunicorn, {gunicorn_workers()} sync workers;"
            f" wrk -t2 -c16 -d{options.api_seconds:g}s;"
            f" then open-loop at {rate:,.0f} req/s (50% of bare), {runs} runs of {options.api_seconds:g} s",
            "",
            "The bare endpoint ran first and again after each other endpoint: "
            + ", ".join(f"{rps:,.0f}" for rps in api_pass.bare_runs)
            + f" req/s (median {statistics.median(api_pass.bare_runs):,.0f}). Its row shows the run nearest the"
            " median; each other endpoint's share is read against the mean of the bare runs just before and"
            " just after it, and the open-loop rate is half the median. The open-loop pass ran"
            f" {runs} times, the endpoints in turn each time: each run's p99, their median (the target's"
            " verdict), and p50/p95/p99 of all runs' latencies pooled.",
            "",
            "| endpoint | req/s | share of bare | p50 (ms) | p95 (ms) | p99 (ms) | errors"
            f" | @{rate:,.0f}/s p99 by run (ms) | median p99 | pooled p50 | p95 | p99 | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in api_results:
            s = r.saturation
            share = r.share_of_bare
            fixed_cells = "- | - | - | - | - | -"
            if r.fixed_runs:
                by_run = " / ".join(f"{run.p99_ms:.0f}" if run.ok else "-" for run in r.fixed_runs)
                pooled = " | ".join(f"{r.fixed_pooled_ms(fraction):.1f}" for fraction in (0.5, 0.95, 0.99))
                errors: dict[str, int] = {}
                for run in r.fixed_runs:
                    for kind, count in run.errors.items():
                        errors[kind] = errors.get(kind, 0) + count
                if r.fixed_runs[0].rate != rate:  # the PUT mix, at a rate of its own
                    by_run = f"(@{r.fixed_runs[0].rate:,.0f}/s) {by_run}"
                fixed_cells = f"{by_run} | {r.fixed_p99_median_ms:.1f} | {pooled} | {_errors(errors)}"
            lines.append(
                f"| {r.endpoint.name} | {s.requests_per_second:,.0f} | {share:.0%} | {s.p50_ms:.1f} | {s.p95_ms:.1f}"
                f" | {s.p99_ms:.1f} | {s.errors} | {fixed_cells} |"
            )
            if r is not api_results[0]:
                targets.append(
                    (
                        f"{r.endpoint.name}: throughput >= {THROUGHPUT_SHARE_MIN:.0%} of bare",
                        f"{share:.0%}",
                        share >= THROUGHPUT_SHARE_MIN,
                    )
                )
        if runs:
            width = max(len(run.seconds) for r in api_results for run in r.fixed_runs)
            lines += [
                "",
                f"Open-loop latency at {rate:,.0f} req/s by second of sending, p50 / max (ms): a bad p99 made of"
                " a few slow seconds is a stall; one that grows second after second is a queue.",
                "",
                "| endpoint | run | " + " | ".join(f"{i}" for i in range(width)) + " |",
                "| --- | ---: | " + " | ".join("---:" for _ in range(width)) + " |",
            ]
            for index in range(runs):
                for r in api_results:
                    run = r.fixed_runs[index]
                    cells = [f"{second['p50_ms']:.0f} / {second['max_ms']:.0f}" for second in run.seconds]
                    cells += ["-"] * (width - len(cells))
                    lines.append(f"| {r.endpoint.name} | {index + 1} | " + " | ".join(cells) + " |")
        for r in api_results:
            kinds = sorted({kind for run in r.fixed_runs for kind in run.by_kind})
            if not kinds:
                continue
            lines += [
                "",
                f"{r.endpoint.name} at {r.fixed_runs[0].rate:,.0f} req/s by kind: each answer's status, counted over"
                " all runs (every kind expects 200), and each run's p50 / p99 (ms) with their medians.",
                "",
                "| kind | statuses | p50 by run | median p50 | p99 by run | median p99 |",
                "| --- | --- | ---: | ---: | ---: | ---: |",
            ]
            for kind in kinds:
                kind_statuses: dict[str, int] = {}
                for run in r.fixed_runs:
                    for status, count in run.statuses.get(kind, {}).items():
                        kind_statuses[status] = kind_statuses.get(status, 0) + count
                found = [run.by_kind[kind] for run in r.fixed_runs if kind in run.by_kind]
                p50s, p99s = [f["p50_ms"] for f in found], [f["p99_ms"] for f in found]
                lines.append(
                    f"| {kind} | {_errors(kind_statuses)} | {' / '.join(f'{v:.1f}' for v in p50s)}"
                    f" | {statistics.median(p50s):.1f} | {' / '.join(f'{v:.0f}' for v in p99s)}"
                    f" | {statistics.median(p99s):.1f} |"
                )
        for r in api_results:
            if r.fixed_runs:
                failed, sent = r.fixed_failed, sum(run.sent for run in r.fixed_runs)
                median = r.fixed_p99_median_ms
                measured = f"median p99 {median:.1f} ms (runs " + " / ".join(
                    f"{run.p99_ms:.0f}" for run in r.fixed_runs
                )
                measured += f"; pooled p99 {r.fixed_pooled_ms(0.99):.0f})"
                measured += f", {failed:,} of {sent:,} failed" if failed else ""
                targets.append(
                    (
                        f"{r.endpoint.name}: p99 < {FIXED_RATE_P99_MS_MAX:.0f} ms at {r.fixed_runs[0].rate:,.0f} req/s,"
                        " no errors",
                        measured,
                        not failed and median < FIXED_RATE_P99_MS_MAX,
                    )
                )
    lines += ["", "## Targets", "", "| target | measured | |", "| --- | ---: | --- |"]
    lines += [f"| {name} | {measured} | {verdict(ok)} |" for name, measured, ok in targets]
    lines += [
        "",
        "## Machine",
        "",
        "1-minute load average when each phase started (2 CPUs; other work on a shared machine shows here): "
        + ", ".join(f"{phase} {load:.2f}" for phase, load in loads),
        *(
            ["", f"Autovacuum and autoanalyze runs during the API pass: {api_pass.autovacuum_runs}."]
            if api_pass
            else []
        ),
        "",
        f"- `nproc`: {machine.cpus}; CPU: {machine.cpu_model}; kernel {machine.kernel}; Python {machine.python}",
        f"- PostgreSQL {machine.postgres}; Redis {machine.redis}",
        "- `free -h`:",
        "",
        "```",
        machine.memory,
        "```",
        "",
    ]
    return "\n".join(lines)


def _open_apps_lines(herds: list) -> list[str]:
    """The open apps' requests and latencies beside each herd, and the API load's by kind."""
    lines = [
        "",
        "Beside each herd, by request kind: count (statuses) and p50 / p99 in ms. `current` and `history` are the"
        " fixed-rate API load; the other kinds are the open apps' (bench/open_apps.py: `live` asks GET"
        " changes?since= as the app does, `poll` reads GET checkins/current every 10 s), PUT is their answers.",
        "",
        "| couples | open apps (people) | mode | kind | statuses | p50 (ms) | p99 (ms) |",
        "| ---: | ---: | --- | --- | --- | ---: | ---: |",
    ]
    for h in herds:
        apps = f"{h.open_apps:,} ({2 * h.open_apps:,})" if h.open_apps else "0"
        mode = h.open_apps_mode or "none"
        for kind, figures in sorted(h.api_by_kind.items()):
            lines.append(
                f"| {h.couples:,} | {apps} | {mode} | API load: {kind} | {figures['ok']:,} ok"
                f" | {figures['p50_ms']:.1f} | {figures['p99_ms']:.0f} |"
            )
        report = h.open_apps_report
        for kind, statuses in sorted(report.get("statuses", {}).items()):
            figures = report["kinds"].get(kind, {"p50_ms": 0.0, "p99_ms": 0.0})
            lines.append(
                f"| {h.couples:,} | {apps} | {mode} | {kind} | {_errors(statuses)}"
                f" | {figures['p50_ms']:.1f} | {figures['p99_ms']:.0f} |"
            )
    with_apps = [h for h in herds if h.open_apps_report]
    if with_apps:
        lines += [
            "",
            "The open apps in all: requests a second over the herd (and in its busiest minute), people whose"
            " reminder reached them and who answered, later messages to them (the reveal's push and email),"
            " and the CPU of the server side (web, Redis, PostgreSQL) per request gunicorn served (the open"
            " apps' and the API load's together; Redis is the whole server, other clients' work included).",
            "",
            "| couples | open apps (people) | mode | requests | req/s | busiest minute (req/s) | reminded"
            " | answered | later messages | web + Redis + PostgreSQL CPU (s) | ms per request |",
            "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for h in with_apps:
            report = h.open_apps_report
            served = report["requests"] + h.api_requests
            server_cpu = sum(h.cpu_seconds.get(role, 0.0) for role in ("web (gunicorn)", "Redis", "postgres"))
            busiest = max(report["by_minute"], default=0) / 60
            lines.append(
                f"| {h.couples:,} | {h.open_apps:,} ({report['people']:,}) | {h.open_apps_mode}"
                f" | {report['requests']:,} | {report['per_second']:.1f} | {busiest:.1f} | {report['reminded']:,}"
                f" | {report['answered']:,} | {h.later_messages:,} | {server_cpu:.1f}"
                f" | {1000 * server_cpu / served:.2f} |"
            )
    return lines


def main() -> None:
    options = parse_args()
    problems = common.check_services(need_wrk=not options.skip_api)
    if problems:
        print("The bench cannot run:\n- " + "\n- ".join(problems), file=sys.stderr)
        raise SystemExit(2)

    import django

    print(f"bench: recreating database and migrating ({common.DATABASE_URL})", flush=True)
    common.recreate_database()
    django.setup()
    from django.db import DatabaseError, connection
    from django.utils import timezone

    from bench import api, herd, quiet, seed

    when = datetime.now(UTC)
    password_hash = seed.precomputed_password_hash()
    herds, quiets = [], []
    loads: list[tuple[str, float]] = []
    couple: seed.ApiCouple | None = None
    if options.skip_herd:
        seed.truncate()
        print(f"bench: seeding {options.couples:,} couples (no herd, no quiet tick)", flush=True)
        due_at = herd.due_minute(timezone.now())
        seed.herd(couples=options.couples, due_at=due_at, password_hash=password_hash, push_origin=common.PUSH_ORIGIN)
        couple = seed.api_couple(now=timezone.now(), password_hash=password_hash)
    for size in [] if options.skip_herd else options.sizes:
        for deliver_workers in options.deliver_workers:
            for latency in options.push_latencies_ms:
                seed.truncate()
                due_at = herd.due_minute(timezone.now())
                print(f"bench: seeding {size:,} couples due at {due_at:%H:%M} UTC", flush=True)
                seed.herd(couples=size, due_at=due_at, password_hash=password_hash, push_origin=common.PUSH_ORIGIN)
                couple = seed.api_couple(now=timezone.now(), password_hash=password_hash)
                print(f"bench: herd of {size:,}, {deliver_workers} deliver worker(s), push {latency:g} ms", flush=True)
                loads.append((f"herd {size:,} {deliver_workers}d {latency:g}ms", common.load_average()))
                result = herd.run(
                    couples=size,
                    timeout=options.herd_timeout,
                    deliver_workers=deliver_workers,
                    push_latency_ms=latency,
                    api_token=couple.token,
                    api_rate=options.herd_api_rate,
                    open_apps=options.open_apps,
                    open_apps_mode=options.open_apps_mode,
                    open_apps_answer_after=options.open_apps_answer_after,
                )
                herds.append(result)
                print(
                    f"bench:   rounds open at {_seconds(result.rounds_open_seconds)} s; pushes first/median/last"
                    f" {_seconds(result.push.first)} / {_seconds(result.push.median)} / {_seconds(result.push.last)} s,"
                    f" emails {_seconds(result.email.first)} / {_seconds(result.email.median)}"
                    f" / {_seconds(result.email.last)} s;"
                    f" duplicates {result.push.duplicates}/{result.email.duplicates},"
                    f" lost {result.push.lost}/{result.email.lost}; API p99 {result.api_p99_ms} ms;"
                    f" RSS {result.max_rss_mib():.0f} MiB",
                    flush=True,
                )
        print(f"bench: quiet tick at {size:,}", flush=True)
        loads.append((f"quiet {size:,}", common.load_average()))
        quiets.append(quiet.run(couples=size, runs=options.quiet_runs))
        print(f"bench:   median {quiets[-1].median_ms:.1f} ms", flush=True)

    api_pass = None
    if not options.skip_api:
        print("bench: API pass (gunicorn + wrk, then the open-loop generator)", flush=True)
        # Enough single-use targets for every run of the PUT mix (bench/api.py), seeded before the
        # VACUUM and CHECKPOINT below.
        mix_targets = int(MIX_CEILING_PER_SECOND * (options.warmup_seconds + options.api_seconds) * api.SLICE_MARGIN)
        mix_targets += int(MIX_CEILING_PER_SECOND * FIXED_RATE_SHARE * options.api_seconds * api.FIXED_RATE_RUNS)
        print(f"bench:   seeding {mix_targets:,} couples for the PUT mix", flush=True)
        mix = seed.answer_mix(now=timezone.now(), password_hash=password_hash, targets=mix_targets)
        # The API couple is the last herd's. The herd leaves PostgreSQL work behind: dead rows and
        # unanalysed tables, which autovacuum would otherwise take up in the middle of the API
        # pass, and dirty pages. Measured on top of that, the API numbers would depend on how big
        # the herd was, so it is done first.
        for statement in ("VACUUM (ANALYZE)", "CHECKPOINT"):
            try:
                with connection.cursor() as cursor:
                    cursor.execute(statement)
            except DatabaseError:
                pass  # needs the tables' owner, or a superuser; the wait below still applies
        waited, busy = common.wait_until_quiet()
        print(f"bench:   waited {waited:.0f} s for the machine to settle (CPUs {busy:.0%} busy)", flush=True)
        loads.append((f"API (after {waited:.0f} s settling, CPUs {busy:.0%} busy)", common.load_average()))
        autovacuums_before = common.autovacuum_runs()
        assert couple is not None, "the API pass uses the last herd's couple"
        bare_runs, results = api.run(
            couple,
            mix,
            seconds=options.api_seconds,
            warmup=options.warmup_seconds,
            only=options.api_endpoints,
            put_rate=options.api_put_rate,
        )
        api_pass = ApiPass(bare_runs, results, autovacuum_runs=common.autovacuum_runs() - autovacuums_before)

    report = render(options, herds, quiets, api_pass, common.describe_machine(), when, loads)
    print()
    print(report)
    common.LOG_DIR.mkdir(parents=True, exist_ok=True)
    (common.LOG_DIR / "last-run.md").write_text(report)
    if options.write:
        options.write.write_text(report)


if __name__ == "__main__":
    main()
