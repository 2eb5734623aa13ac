"""What each notification says and where in the app it leads. Safe on a lock screen: no ratings,
no notes, no pressure; an invitation, never a demand."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from notifications.models import Notification

Kind = Notification.Kind

TEXTS = {
    Kind.ROUND_OPENED: (_("A check-in is open"), _("Whenever you are ready; there is no rush.")),
    Kind.NUDGE: (_("Your check-in is still open"), _("If you'd like to, there is still time to check in.")),
    # The one message of a reveal, flags or not: what is worth talking about is on the check-in
    # itself once the answers are compared, a moment later, and no second message says so.
    Kind.RESULTS_READY: (
        _("You have both checked in"),
        _("Your answers are side by side, to look at together when it suits you both."),
    ),
    # No longer filed (one message per reveal); its words stay for the inbox items it made.
    Kind.DISCUSSION_OPENED: (
        _("Something you might talk about"),
        _("Your check-in offered a topic, if you'd like one."),
    ),
    Kind.PARTNER_LEFT: (_("Your couple has ended"), _("Your past check-ins are still here for you.")),
    Kind.INVITE_ACCEPTED: (_("You are paired"), _("{partner} joined you on Tandem.")),
    Kind.SCHEDULE_CHANGED: (_("Your check-in schedule changed"), _("{partner} updated when you check in.")),
    # A signal's words stay in the app: a lock screen shows only that there is one, never which
    # kind (a space or an invitation is the couple's own business), nor its message unless the
    # person chose to see it there (Preferences.signal_text; signals.services files it as the body).
    Kind.SIGNAL_SENT: (_("{partner} sent you a signal"), _("It is in Tandem whenever you'd like to look.")),
    Kind.SIGNAL_REPLIED: (_("{partner} replied to your signal"), _("It is in Tandem whenever you'd like to look.")),
    # Account emails: their link is added when the email is written (notifications/account_emails.py).
    Kind.PASSWORD_RESET: (
        _("Reset your Tandem password"),
        _(
            "Someone, probably you, asked to reset the password of your Tandem account. To choose a new "
            "password, open this link within an hour; it works once. If it was not you, ignore this email: "
            "your password stays as it is."
        ),
    ),
    Kind.EMAIL_CONFIRM: (
        _("Confirm your email for Tandem"),
        _(
            "Please confirm that Tandem may write to this address by opening this link within three days. "
            "If you did not ask for this, ignore this email: nothing changes."
        ),
    ),
    Kind.EMAIL_CHANGED: (
        _("Your Tandem email was changed"),
        _(
            "The email of your Tandem account was changed, so Tandem no longer writes to this address. "
            "If you did not change it, sign in to Tandem and change your password and email in Settings."
        ),
    ),
}


# The app's screen of what a notification is about (a path of web/screens.py), filled from the
# notification's data; the second path is where it leads when its data lacks the id (older rows).
PATHS = {
    Kind.ROUND_OPENED: ("/checkin", "/checkin"),
    Kind.NUDGE: ("/checkin", "/checkin"),
    Kind.RESULTS_READY: ("/checkins/{round_id}", "/checkin"),
    Kind.DISCUSSION_OPENED: ("/discussions/{discussion_id}", "/discussions"),
    # What the couple shared stays readable after it ends.
    Kind.PARTNER_LEFT: ("/history", "/history"),
    Kind.INVITE_ACCEPTED: ("/", "/"),
    Kind.SCHEDULE_CHANGED: ("/schedule", "/schedule"),
    # Home shows the partner's live space and the signals to reply to.
    Kind.SIGNAL_SENT: ("/", "/"),
    Kind.SIGNAL_REPLIED: ("/", "/"),
}


def app_path(*, kind: str, data: dict[str, Any]) -> str:
    path, without_data = PATHS[Kind(kind)]
    try:
        return path.format_map(data)
    except KeyError:
        return without_data
