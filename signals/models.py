"""Signals: the small, optional messages partners send each other between check-ins ("I need a
little space today", "I'd love some time with you", "Thank you") and the one reply each may get."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now

from couples.models import Couple, User

MESSAGE_MAX_LENGTH = 280
# Control characters (line breaks, tabs, escapes), lone surrogates and the line and paragraph
# separators, as a display name refuses them (couples/models.py): a message is one short line.
_REFUSED_IN_MESSAGES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def validate_message(value: str) -> None:
    """The one rule for a signal's or a reply's message characters (its length is the field's)."""
    if any(unicodedata.category(character) in _REFUSED_IN_MESSAGES for character in value):
        raise ValidationError(
            "A message is one short line: no line breaks, tabs or other control characters.",
            code="control_characters",
        )


class Signal(models.Model):
    class Kind(models.TextChoices):
        SPACE = "space"  # "I'm here, but I need a little space today"
        INVITE = "invite"  # "I'd love some time with you; when suits you?"
        THANKS = "thanks"  # "Thank you", for the time or the space given

    class Reply(models.TextChoices):
        YES = "yes"
        LATER = "later"
        NOT_NOW = "not_now"
        OK = "ok"

    # The replies that fit each kind; a `thanks` takes none.
    REPLIES_OF_KIND = {
        Kind.SPACE: frozenset({Reply.OK}),
        Kind.INVITE: frozenset({Reply.YES, Reply.LATER, Reply.NOT_NOW}),
        Kind.THANKS: frozenset(),
    }

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="signals")
    # Gone with the sender's account.
    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signals_sent")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    message = models.CharField(max_length=MESSAGE_MAX_LENGTH, blank=True, default="", validators=[validate_message])
    # A space's end (space only). Ending a space early, or replacing it with a new one, brings it
    # forward to that moment, so that `until` always says when the space ended or ends.
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    # Set for a space once a newer space of its sender replaced it or its sender ended it: from
    # then on it is history, and the sender may have another current space.
    ended_at = models.DateTimeField(null=True, blank=True)
    # The sender took it back (DELETE): nobody sees it any more. The row stays, message emptied, so
    # that it still counts towards the sender's signals of the day.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(max_length=8, choices=Reply.choices, blank=True, default="")
    reply_message = models.CharField(
        max_length=MESSAGE_MAX_LENGTH, blank=True, default="", validators=[validate_message]
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["space", "invite", "thanks"]), name="signal_kind_known"),
            # Only a space has an end, and a space always has one.
            models.CheckConstraint(
                condition=Q(kind="space", until__isnull=False) | (~Q(kind="space") & Q(until__isnull=True)),
                name="signal_until_iff_space",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("created_at")), name="signal_until_after_creation"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(kind="space"), name="signal_only_a_space_ends"
            ),
            # A reply fits its kind: yes, later or not now to an invitation, ok to a space, none to thanks.
            models.CheckConstraint(
                condition=Q(reply="")
                | Q(kind="invite", reply__in=["yes", "later", "not_now"])
                | Q(kind="space", reply="ok"),
                name="signal_reply_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(reply="", reply_message="", replied_at__isnull=True)
                | (~Q(reply="") & Q(replied_at__isnull=False)),
                name="signal_replied_at_iff_reply",
            ),
            # One current space per sender: a new one ends the last (signals.services.signal_send).
            models.UniqueConstraint(
                fields=["sender"], condition=Q(kind="space", ended_at__isnull=True), name="one_current_space_per_sender"
            ),
        ]
        indexes = [
            # The couple's signals, newest first (GET /signals), and the live spaces of a couple.
            models.Index(fields=["couple", "-created_at"], name="signal_couple_idx"),
            # The limit: "this person's signals of the last day".
            models.Index(fields=["sender", "-created_at"], name="signal_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} signal {self.pk} of {self.sender_id}"
