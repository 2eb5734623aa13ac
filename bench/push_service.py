"""The bench's Web Push service: a real HTTP/1.1 server on 127.0.0.1 that answers every
`POST /push/<person id>` with 201 Created after `--latency-ms` (a real push service takes about
50 ms), on keep-alive connections, and counts what it accepted (bench/acceptance.py).
`GET /stats` and `GET /stats/full` report the counts.

It runs in its own process on uvloop and parses by hand, so that it takes as little as it can of
the two CPUs it shares with the workers, PostgreSQL and the API (about 0.1 ms a message):

    .venv/bin/python bench/push_service.py --port 8767 --latency-ms 50
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import cast

import uvloop

# Run as a script: the project root instead of bench/ itself, so that `bench` imports as a package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.acceptance import Acceptances, stats_response  # noqa: E402

ACCEPTED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nLocation: /message\r\n\r\n"
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class PushExchange(asyncio.Protocol):
    """One keep-alive connection: requests one after another, each answered after the latency."""

    def __init__(self, acceptances: Acceptances, latency: float) -> None:
        self.acceptances, self.latency = acceptances, latency
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A TCP server's transports are full Transports (asyncio hands the base type).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            method, path = head.split(b" ", 2)[:2]
            self.answer(method, path.decode())

    def answer(self, method: bytes, path: str) -> None:
        transport = self.transport
        if method == b"GET" and path.startswith("/stats"):
            transport.write(stats_response(self.acceptances, path))
            transport.close()
            return
        if method != b"POST" or not path.startswith("/push/"):
            transport.write(NOT_FOUND)
            return
        person_id = int(path.rsplit("/", 1)[1])

        def accept() -> None:
            if transport.is_closing():
                return  # the client hung up first: never accepted
            # Counted as the answer goes out: a message counts once the service has taken it.
            self.acceptances.record(person_id)
            transport.write(ACCEPTED)

        if self.latency:
            asyncio.get_running_loop().call_later(self.latency, accept)
        else:
            accept()


async def serve(host: str, port: int, latency: float) -> None:
    acceptances = Acceptances()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: PushExchange(acceptances, latency), host, port, backlog=2048)
    print(f"push service on {host}:{port}, answering after {latency * 1000:.0f} ms", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="how long before each 201 (default 50)")
    args = parser.parse_args()
    uvloop.run(serve(args.host, args.port, args.latency_ms / 1000))


if __name__ == "__main__":
    main()
