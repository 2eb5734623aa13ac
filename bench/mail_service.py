"""The bench's mail server: a real SMTP server (aiosmtpd) on 127.0.0.1 that accepts every message
and counts it by recipient (`bench<person id>@...`, bench/seed.py), and a small HTTP server for
`GET /stats` and `GET /stats/full` (bench/acceptance.py). Its own process, on uvloop:

    .venv/bin/python bench/mail_service.py --port 8768 --stats-port 8769
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

import uvloop
from aiosmtpd.smtp import SMTP

# Run as a script: the project root instead of bench/ itself, so that `bench` imports as a package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.acceptance import Acceptances, serve_stats  # noqa: E402

PERSON = re.compile(r"^bench(\d+)@")


class CountingHandler:
    def __init__(self, acceptances: Acceptances) -> None:
        self.acceptances = acceptances

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        for recipient in envelope.rcpt_tos:
            match = PERSON.match(recipient)
            self.acceptances.record(int(match.group(1)) if match else 0)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, stats_port: int) -> None:
    acceptances = Acceptances()
    handler = CountingHandler(acceptances)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="bench-mail", loop=loop), host, port, backlog=2048)
    stats = await serve_stats(acceptances, host, stats_port)
    print(f"mail server on {host}:{port}, stats on {stats_port}", flush=True)
    async with server, stats:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats-port", type=int, required=True)
    args = parser.parse_args()
    uvloop.run(serve(args.host, args.port, args.stats_port))


if __name__ == "__main__":
    main()
