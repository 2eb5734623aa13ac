"""The admin shows when and what kind of signal, never what it says, and changes nothing."""

from django.test import Client

from couples.models import User
from signals import services


def test_the_admin_shows_a_signal_without_its_message_and_offers_no_change(seats):
    signal = services.signal_send(user=seats.alice, kind="invite", message="MESSAGE-otter")
    operator = User.objects.create_superuser("operator@example.com", "a long operator password")
    client = Client()
    client.force_login(operator)

    listed = client.get("/admin/signals/signal/")
    shown = client.get(f"/admin/signals/signal/{signal.pk}/change/")

    assert listed.status_code == shown.status_code == 200
    assert b"invite" in listed.content
    assert b"MESSAGE-otter" not in listed.content + shown.content
    assert client.post(f"/admin/signals/signal/{signal.pk}/delete/", {"post": "yes"}).status_code == 403
