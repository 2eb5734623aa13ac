"""People whose app is open during the herd (bench/herd.py, `--open-apps`): each asks the server what
the real app asks, when it asks it, on its own schedule, and the report counts and times every
request by kind.

`live` (web/static/app/live.js): a first cursor (`GET /changes`) when the app opens; one question
(`GET /changes?since=<cursor>`) each time a push reaches the person (the push service's log, polled
every half second, says when); while the person waits on the partner (answered, the partner not
yet), a question after 3 s, then 6 s, then every 8 s, back to 3 s whenever something moved; a 200
names the topics that moved, and the app reads again what they show (`round`: GET
checkins/current; `inbox`: the unread notifications); once the round is revealed nobody waits and
the timer stops.

`poll` (the plain alternative): every open app reads GET checkins/current every 10 s (each at its
own phase) from the start to the end, whatever happens.

In both modes the same people answer at the same moments (a fixed random seed): a share
(`ANSWER_SHARE`) of them PUT their answer a while after their reminder reached them
(`--answer-after`, uniform between two bounds, by default 20 to 180 s: opening the push, reading,
choosing), to the round their app last read.
An answer moves the couple's stamps (live: the next questions are 200s and the screen reads the
round again), and the second answer of a couple reveals the round (a "results are ready" push to
both, and so one more question from each open app).

Run as its own process by bench/herd.py; it prints "ready" once every app has its first read, then
asks until SIGTERM and writes one JSON object to `--out`. Raw asyncio on uvloop, as bench/loadgen.py.

    .venv/bin/python bench/open_apps.py --people var/bench/open-apps.json --mode live \
        --api-port 8765 --push-port 8767
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import time
from pathlib import Path

import uvloop

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.loadgen import TIMEOUT_SECONDS, Target, _Exchange, percentile, request_bytes  # noqa: E402

FASTEST_SECONDS, SLOWEST_SECONDS = 3.0, 8.0  # live.js: FASTEST_MS, SLOWEST_MS
POLL_SECONDS = 10.0  # the plain alternative
PUSH_LOG_SECONDS = 0.5
ANSWER_SHARE = 0.6
ANSWER_AFTER_SECONDS = "20,180"  # uniform between the two, after the person's reminder push
SEED = 22
ANSWER_BODY = json.dumps({"connection": 3, "independence": 4, "note": "Still thinking it over.", "private_note": ""})
MAX_IN_FLIGHT = 512


class Client:
    """One request per connection (the server's sync workers close each), counted by kind."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[str, int]] = {}
        self.sent_at: list[float] = []  # monotonic send time of every request after `counting`
        self.counting = False

    async def call(self, kind: str, method: str, path: str, token: str, body: str | None = None) -> tuple[int, dict]:
        loop = asyncio.get_running_loop()
        target = Target(path=path, headers={"Authorization": f"Token {token}"})
        request = request_bytes(
            method=method,
            host=f"127.0.0.1:{self.port}",
            target=target,
            headers={},
            body=body.encode() if body is not None else None,
        )
        started = time.perf_counter()
        counting = self.counting
        if counting:
            self.sent_at.append(time.monotonic())
        transport = None
        data: dict = {}
        try:
            async with self.in_flight, asyncio.timeout(TIMEOUT_SECONDS):
                answered = loop.create_future()
                transport, _ = await loop.create_connection(
                    lambda: _Exchange(request, answered), "127.0.0.1", self.port
                )
                answer = await answered
        except (TimeoutError, OSError) as error:
            status = type(error).__name__
        else:
            head, _, content = answer.partition(b"\r\n\r\n")
            status = head[9:12].decode() if head.startswith(b"HTTP/1.") else "0"
            try:
                data = json.loads(content) if content.strip() else {}
            except ValueError:
                data = {}
        finally:
            if transport is not None:
                transport.abort()
        if counting:
            kind = kind.replace("{status}", status)  # "GET changes ({status})": a 204 and a 200 apart
            counts = self.statuses.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1
            if status.startswith("2"):
                self.latencies.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        return (int(status) if status.isdigit() else 0), data


class Person:
    def __init__(self, person_id: int, token: str, answers_after: float | None) -> None:
        self.id, self.token, self.answers_after = person_id, token, answers_after
        self.pushes: asyncio.Queue[None] = asyncio.Queue()
        self.reminded_at: float | None = None  # monotonic, the first push
        self.cursor = ""
        self.round_id: int | None = None
        self.round_open = False
        self.answered = False

    def take_round(self, data: dict) -> None:
        if "id" in data:
            self.round_id, self.round_open = data["id"], data.get("status") == "open"
            self.answered = self.answered or bool((data.get("me") or {}).get("answered"))

    @property
    def waiting(self) -> bool:  # data.js, waitingOnPartner
        return self.round_open and self.answered

    async def answer(self, client: Client) -> None:
        self.answers_after = None  # once, whatever the answer
        if self.round_id is None:
            status, data = await client.call("GET checkins/current", "GET", "/api/v1/checkins/current", self.token)
            self.take_round(data)
        if self.round_id is not None:
            path = f"/api/v1/checkins/{self.round_id}/response"
            status, _ = await client.call("PUT checkins/{id}/response", "PUT", path, self.token, ANSWER_BODY)
            self.answered = self.answered or status == 200

    def answer_due(self) -> float | None:
        if self.answers_after is None or self.answered or self.reminded_at is None:
            return None
        return self.reminded_at + self.answers_after


async def live(person: Person, client: Client, stop: asyncio.Event) -> None:
    delay = FASTEST_SECONDS
    timer_at: float | None = None

    async def ask() -> None:
        nonlocal delay, timer_at
        status, data = await client.call(
            "GET changes ({status})", "GET", f"/api/v1/changes?since={person.cursor}", person.token
        )
        topics = data.get("topics", []) if status == 200 else []
        if status == 200:
            person.cursor = data["cursor"]
        if "round" in topics:
            _, current = await client.call("GET checkins/current", "GET", "/api/v1/checkins/current", person.token)
            person.take_round(current)
        if "inbox" in topics:
            await client.call("GET notifications (unread)", "GET", "/api/v1/notifications?unread=true", person.token)
        delay = FASTEST_SECONDS if topics else min(delay * 2, SLOWEST_SECONDS)
        timer_at = time.monotonic() + delay if person.waiting else None

    while not stop.is_set():
        now = time.monotonic()
        due = [at for at in (timer_at, person.answer_due()) if at is not None]
        try:
            await asyncio.wait_for(person.pushes.get(), timeout=max(0.0, min(due) - now) if due else None)
        except TimeoutError:
            if stop.is_set():
                return
            answer_at = person.answer_due()
            if answer_at is not None and answer_at <= time.monotonic():
                await person.answer(client)
                delay = FASTEST_SECONDS  # live.js, waitNow
                timer_at = time.monotonic() + delay if person.waiting else None
            elif timer_at is not None and timer_at <= time.monotonic():
                await ask()
            continue
        await ask()  # a push reached the open app: askNow


async def poll(person: Person, client: Client, stop: asyncio.Event, phase: float) -> None:
    next_poll = time.monotonic() + phase
    while not stop.is_set():
        answer_at = person.answer_due()
        wake = min(next_poll, answer_at) if answer_at is not None else next_poll
        try:
            # A push asks nothing here; it only sets when the person will answer.
            await asyncio.wait_for(person.pushes.get(), timeout=max(0.0, wake - time.monotonic()))
            continue
        except TimeoutError:
            if stop.is_set():
                return
        if answer_at is not None and answer_at <= time.monotonic():
            await person.answer(client)
        else:
            _, current = await client.call("GET checkins/current", "GET", "/api/v1/checkins/current", person.token)
            person.take_round(current)
            next_poll += POLL_SECONDS


async def follow_pushes(people: dict[int, Person], port: int, stop: asyncio.Event) -> None:
    """Reads the push service's log of acceptances and tells each open app its pushes."""
    index = 0
    while not stop.is_set():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /stats/log?from={index} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        raw = await reader.read()
        writer.close()
        answer = json.loads(raw.partition(b"\r\n\r\n")[2])
        index = answer["next"]
        now = time.monotonic()
        for person_id in answer["ids"]:
            person = people.get(person_id)
            if person is not None:
                if person.reminded_at is None:
                    person.reminded_at = now
                person.pushes.put_nowait(None)
        try:
            await asyncio.wait_for(stop.wait(), timeout=PUSH_LOG_SECONDS)
        except TimeoutError:
            pass


async def run(*, people_file: str, mode: str, api_port: int, push_port: int, answer_after: str) -> dict:
    chooser = random.Random(SEED)
    rows = json.loads(Path(people_file).read_text())
    after = [float(seconds) for seconds in answer_after.split(",")]
    people = {
        row["id"]: Person(
            row["id"],
            row["token"],
            chooser.uniform(*after) if chooser.random() < ANSWER_SHARE else None,
        )
        for row in rows
    }
    client = Client(api_port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if mode == "live":
        # The app opens: a first cursor each (not counted: before the herd).
        async def first(person: Person) -> None:
            _, data = await client.call("first cursor", "GET", "/api/v1/changes", person.token)
            person.cursor = data.get("cursor", "")

        await asyncio.gather(*(first(person) for person in people.values()))
        missing = sum(1 for person in people.values() if not person.cursor)
        assert not missing, f"{missing} open apps got no first cursor"
    print("ready", flush=True)
    client.counting = True
    started = time.monotonic()
    tasks = [asyncio.create_task(follow_pushes(people, push_port, stop))]
    for person in people.values():
        if mode == "live":
            tasks.append(asyncio.create_task(live(person, client, stop)))
        else:
            tasks.append(asyncio.create_task(poll(person, client, stop, chooser.uniform(0, POLL_SECONDS))))
    await stop.wait()
    seconds = time.monotonic() - started
    await asyncio.wait(tasks, timeout=TIMEOUT_SECONDS + 1)
    for task in tasks:
        task.cancel()
    by_minute: dict[int, int] = {}
    for at in client.sent_at:
        minute = int((at - started) // 60)
        by_minute[minute] = by_minute.get(minute, 0) + 1
    return {
        "mode": mode,
        "people": len(people),
        "seconds": seconds,
        "requests": len(client.sent_at),
        "per_second": len(client.sent_at) / seconds if seconds else 0.0,
        "by_minute": [by_minute.get(minute, 0) for minute in range(max(by_minute, default=-1) + 1)],
        "answered": sum(1 for person in people.values() if person.answered),
        "reminded": sum(1 for person in people.values() if person.reminded_at is not None),
        "statuses": client.statuses,
        "kinds": {
            kind: {
                "ok": len(values),
                "p50_ms": percentile(values, 0.5),
                "p99_ms": percentile(values, 0.99),
            }
            for kind, values in ((kind, sorted(values)) for kind, values in client.latencies.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", required=True, help='a JSON list of {"id": person id, "token": key}')
    parser.add_argument("--mode", choices=("live", "poll"), required=True)
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--push-port", type=int, required=True)
    parser.add_argument("--out", required=True, help="where to write the JSON report")
    parser.add_argument(
        "--answer-after", default=ANSWER_AFTER_SECONDS, help="seconds after the reminder, from,to (default 20,180)"
    )
    args = parser.parse_args()
    result = uvloop.run(
        run(
            people_file=args.people,
            mode=args.mode,
            api_port=args.api_port,
            push_port=args.push_port,
            answer_after=args.answer_after,
        )
    )
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
