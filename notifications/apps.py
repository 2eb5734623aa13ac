from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import account_emails, checks, lapses  # noqa: F401 - checks registers the system checks
        from notifications.kinds import Kind

        # A link to confirm an address goes out only while one waits (account_emails.py).
        lapses.register(
            kinds=[Kind.EMAIL_CONFIRM],
            still_wanted=account_emails.confirmations_still_wanted,
            reason="nothing waits for confirmation",
        )
