"""Celery tasks of the couples domain: thin, they call a service."""

from celery import shared_task

from couples import devices


@shared_task(name="couples.devices_sweep")
def devices_sweep() -> int:
    return devices.devices_sweep()
