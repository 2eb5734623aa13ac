"""Celery tasks of the work that spans the apps: thin, they call a service."""

from celery import shared_task
from django.db import DatabaseError

from workflows import later, services


@shared_task(name=later.PASSWORD_RESET_MAIL, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def password_reset_mail(email: str, request: str) -> None:
    # `request` names this one reset request: a task run twice files one email.
    services.password_reset_mail(email=email, request=request)
