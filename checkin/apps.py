from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        # Imported here as Django asks: models can be imported only once the app registry is ready.
        from checkin import selectors
        from notifications import lapses
        from notifications.models import Notification

        # An invitation to answer lapses once its person answered or its round closed. Only checkin
        # knows that, and notifications may not import checkin, so checkin tells it (lapses.py).
        lapses.register(
            kinds=[Notification.Kind.ROUND_OPENED, Notification.Kind.NUDGE],
            still_wanted=selectors.invitations_still_wanted,
        )
