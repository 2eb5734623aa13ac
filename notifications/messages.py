"""What each notification says. Safe on a lock screen: no ratings, no notes, no pressure."""

from django.utils.translation import gettext_lazy as _

from notifications.models import Notification

Kind = Notification.Kind

TEXTS = {
    Kind.ROUND_OPENED: (_("Time for your check-in"), _("A new check-in is open whenever you are ready.")),
    Kind.NUDGE: (_("Your check-in is still open"), _("If you'd like to, there is still time to check in.")),
    Kind.RESULTS_READY: (_("Your check-in results are ready"), _("Take a look together when it suits you both.")),
    Kind.DISCUSSION_OPENED: (_("Something to talk about"), _("Your check-in suggested a topic for a conversation.")),
    Kind.PARTNER_LEFT: (_("Your couple has ended"), _("Your past check-ins are still here for you.")),
    Kind.INVITE_ACCEPTED: (_("You are paired"), _("{partner} joined you on Tandem.")),
    Kind.SCHEDULE_CHANGED: (_("Your check-in schedule changed"), _("{partner} updated when you check in.")),
}
