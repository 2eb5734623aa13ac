"""The subjects checkin files its notifications under: written and read here only."""


def of_round(round_id: int) -> str:
    return f"round:{round_id}"


def round_id_of(subject: str) -> int:
    return int(subject.removeprefix("round:"))
