"""The test broker (a Redis database of its own), read back: what tasks were sent, in order."""

import base64
import json
from collections.abc import Iterator

import redis


class BrokerQueue:
    """The messages waiting in the real Redis broker's default queue, as (task name, args)."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)

    def __iter__(self) -> Iterator[tuple[str, tuple]]:
        # kombu LPUSHes and workers BRPOP, so the list holds the newest first.
        for raw in reversed(self.client.lrange("celery", 0, -1)):
            message = json.loads(raw)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            yield message["headers"]["task"], tuple(args)


def analyses(sent: BrokerQueue) -> list[int]:
    """The ids of the rounds whose analysis was sent to the broker, in order."""
    return [args[0] for name, args in sent if name == "checkin.round_analyse"]
