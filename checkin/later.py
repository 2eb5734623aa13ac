"""Work checkin hands to the Celery workers, sent by the task's name: the services and the tick
enqueue it without importing checkin/tasks.py, which imports them (tasks stay thin: ids in, a
service called). The names are the tasks' own (`name=` in tasks.py)."""

from celery import current_app

ROUND_ANALYSE = "checkin.round_analyse"


def round_analyse(round_id: int) -> None:
    """Queue the analysis of a revealed round (its flags)."""
    current_app.send_task(ROUND_ANALYSE, args=(round_id,))
