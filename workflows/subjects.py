"""The subjects the workflows file its notifications under (a couple's, a schedule's): written here only."""


def of_couple(couple_id: int) -> str:
    return f"couple:{couple_id}"


def of_schedule(schedule_id: int) -> str:
    """A topic: notify_at_most_every adds "@" and when, so that each change is a notification of its own."""
    return f"schedule:{schedule_id}"
