from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "signals"
    verbose_name = "Signals"

    def ready(self) -> None:
        # Imported here as Django asks: models can be imported only once the app registry is ready.
        from notifications import lapses
        from notifications.models import Notification
        from signals import selectors

        # The news of a signal lapses once its sender took it back or, for a space, once it ended:
        # a push still waiting out quiet hours then says nothing that no longer holds.
        lapses.register(kinds=[Notification.Kind.SIGNAL_SENT], still_wanted=selectors.news_still_wanted)
