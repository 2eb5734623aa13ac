"""The subjects signals files its notifications under: written and read here only.

A subject is "<what>:<couple id>@<signal id>": the push's RFC 8030 Topic is made of the part
before "@" (notifications/channels.py, `push_topic`), so it is one per couple, and a newer signal
replaces an older one that the push service still holds; the signal's id keeps each event one
notification (one per person, kind and subject)."""

SENT = "signal"
REPLIED = "signal-reply"


def of_signal(*, couple_id: int, signal_id: int) -> str:
    return f"{SENT}:{couple_id}@{signal_id}"


def of_reply(*, couple_id: int, signal_id: int) -> str:
    return f"{REPLIED}:{couple_id}@{signal_id}"


def signal_id_of(subject: str) -> int:
    return int(subject.rsplit("@", 1)[1])
