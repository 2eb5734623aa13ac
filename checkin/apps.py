from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = "Check-ins"

    def ready(self) -> None:
        # Imported here as Django asks: models can be imported only once the app registry is ready.
        from checkin import selectors
        from notifications import lapses, policy

        # An invitation to answer (policy.INVITATIONS) lapses once its person answered or its round
        # closed. Only checkin knows that, and notifications may not import checkin, so checkin
        # tells it (lapses.py).
        lapses.register(kinds=policy.INVITATIONS, still_wanted=selectors.invitations_still_wanted)
