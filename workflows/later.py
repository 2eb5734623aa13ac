"""Work the workflows hand to the Celery workers, sent by the task's name (workflows/tasks.py imports the
services that call this)."""

import uuid

from celery import current_app

# Named when this package was `tandem`: a deployed broker may hold tasks queued under that name.
PASSWORD_RESET_MAIL = "tandem.password_reset_mail"


def password_reset_mail(email: str) -> None:
    """Queue looking up `email` and mailing its account a reset link, if it has one. The request
    that asks does this, and only this, for every address, so its answer and its time tell nothing
    of whether the address has an account. The address is kept out of the worker's logs."""
    current_app.send_task(PASSWORD_RESET_MAIL, args=(email, uuid.uuid4().hex), argsrepr="('…', '…')")
