"""The subjects checkin files its notifications under: written and read here only."""

ROUND = "round:"  # a round's subject is this and its id


def of_round(round_id: int) -> str:
    return f"{ROUND}{round_id}"


def round_id_of(subject: str) -> int:
    return int(subject.removeprefix(ROUND))


def of_discussion(discussion_id: int) -> str:
    """What a discussion's own notifications were about (discussion_opened, no longer filed: a
    reveal says one thing, results_ready; kept so that older ones are read when it is seen)."""
    return f"discussion:{discussion_id}"
