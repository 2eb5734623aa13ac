"""The test broker (a Redis database of its own), read back: what tasks were sent, in order."""

import base64
import json
from collections.abc import Iterator
from datetime import datetime

import redis


class BrokerQueue:
    """The messages waiting in the real Redis broker's queues; iterating gives the default queue's
    as (task name, args)."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)

    def __iter__(self) -> Iterator[tuple[str, tuple]]:
        for name, args, _eta in self.waiting("celery"):
            yield name, args

    def waiting(self, queue: str) -> list[tuple[str, tuple, datetime | None]]:
        """`queue`'s messages, oldest first, as (task name, args, the time it may run or None)."""
        messages = []
        # kombu LPUSHes and workers BRPOP, so the list holds the newest first.
        for raw in reversed(self.client.lrange(queue, 0, -1)):
            message = json.loads(raw)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            eta = message["headers"].get("eta")
            messages.append((message["headers"]["task"], tuple(args), eta and datetime.fromisoformat(eta)))
        return messages


def analyses(sent: BrokerQueue) -> list[int]:
    """The ids of the rounds whose analysis was sent to the broker, in order."""
    return [args[0] for name, args in sent if name == "checkin.round_analyse"]
