"""What the bench's fake outside world (bench/push_service.py, bench/mail_service.py) accepted, and
the small HTTP answer through which the bench reads it.

Each service counts accepted messages by their target (a subscription's endpoint, an email's
recipient), keyed by the person's id that the bench wrote into it, and keeps the wall-clock time
(`time.time()`, comparable across processes) of each acceptance. From these the bench reads
duplicates (a target accepted more than once) and lost messages (an expected target never
accepted), and the first, median and last acceptance after the tick (each target's first: a later
message to the same person, as the reveal's "results are ready" to an open app that answered, is
counted apart). `GET /stats/log?from=<n>` gives the ids accepted since the n-th acceptance, in
order: how the open apps (bench/open_apps.py) learn that a push reached them.
"""

from __future__ import annotations

import asyncio
import json
import time


class Acceptances:
    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.times: list[float] = []
        self.firsts: list[float] = []  # each target's first acceptance
        self.log: list[int] = []  # the ids, in the order accepted

    def record(self, person_id: int) -> None:
        now = time.time()
        if person_id not in self.counts:
            self.firsts.append(now)
        self.counts[person_id] = self.counts.get(person_id, 0) + 1
        self.times.append(now)
        self.log.append(person_id)

    def since(self, index: int) -> dict:
        return {"ids": self.log[index:], "next": len(self.log)}

    def summary(self) -> dict:
        return {"accepted": len(self.times), "distinct": len(self.counts)}

    def full(self) -> dict:
        """Everything the report needs: the ids accepted (each once), the ids accepted more than
        once with their counts, and every acceptance time."""
        return {
            **self.summary(),
            "ids": sorted(self.counts),
            "duplicates": {str(i): n for i, n in self.counts.items() if n > 1},
            "times": sorted(self.times),
            "firsts": sorted(self.firsts),
        }


def stats_response(acceptances: Acceptances, path: str) -> bytes:
    """An HTTP/1.1 answer to `GET /stats` (the counts), `GET /stats/full` (everything) or
    `GET /stats/log?from=<n>` (the ids accepted since the n-th)."""
    if path.startswith("/stats/full"):
        answer = acceptances.full()
    elif path.startswith("/stats/log"):
        answer = acceptances.since(int(path.partition("from=")[2] or 0))
    else:
        answer = acceptances.summary()
    body = json.dumps(answer).encode()
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def serve_stats(acceptances: Acceptances, host: str, port: int) -> asyncio.AbstractServer:
    """A one-request-per-connection HTTP server for `GET /stats[/full]`."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        path = request.split(b" ", 2)[1].decode()
        writer.write(stats_response(acceptances, path))
        await writer.drain()
        writer.close()

    return await asyncio.start_server(answer, host, port)
