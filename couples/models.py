"""People, the couples they form, the invites that pair them and each couple's schedule."""

import unicodedata
from datetime import time
from typing import Any, cast
from zoneinfo import available_timezones

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.timezone import now

from couples import schedules


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(
            f"'{value}' is not a time zone we know. Use an IANA name such as 'Europe/Riga'.",
            code="invalid_timezone",
        )


_TIMEZONES: frozenset[str] = frozenset()

DISPLAY_NAME_MAX_LENGTH = 60
USER_AGENT_MAX_LENGTH = 300
# Control characters (Cc: line breaks, tabs, escapes), lone surrogates (Cs) and the Unicode line
# and paragraph separators (Zl, Zp). A name is printed into the partner's emails and pushes, where
# a line break starts a line of the name's choosing. Format characters (Cf) stay: the zero-width
# joiner builds emoji such as a family.
_REFUSED_IN_NAMES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def validate_display_name(value: str) -> None:
    """The one rule for a display name's characters (its length is the field's max_length): the
    model field runs it (admin, full_clean) and so do the API's serializers."""
    if any(unicodedata.category(character) in _REFUSED_IN_NAMES for character in value):
        raise ValidationError(
            "A name cannot hold line breaks, tabs or other control characters.", code="control_characters"
        )


def _known_timezones() -> frozenset[str]:
    global _TIMEZONES
    if not _TIMEZONES:
        _TIMEZONES = frozenset(available_timezones())
    return _TIMEZONES


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("display_name", email.split("@")[0][:DISPLAY_NAME_MAX_LENGTH])
        return self.create_user(email, password, **fields)


def normalize_email(email: str) -> str:
    # The whole address is folded to lower case: people type their address in many ways and
    # expect it to be one account.
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, validators=[validate_display_name])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Whether the person has shown that `email` is theirs (the link of a confirmation email): email
    # reminders go only to a confirmed address, so nobody is mailed every week by an account that
    # someone else registered with their address.
    email_confirmed = models.BooleanField(default=False)
    # An address the person asked to change to: `email` stays until this one is confirmed (its
    # link), so a typo never takes an account away from its owner. Not unique: the address that
    # confirms first takes it (couples/services.py, `email_confirm`).
    # Null when none waits, as the API shows it.
    pending_email = models.EmailField(null=True, blank=True)  # noqa: DJ001
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_is_lower_case"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"


class BrowserSession(AbstractBaseSession):
    """A browser's signed-in session (Django's database session, couples/sessions.py), with the
    id of the person signed in kept beside it, so that deleting an account removes its sessions
    through an index instead of decoding every session there is. A plain column, not a key: a
    request that saves its session while the account is being deleted must not fail on it."""

    user_id = models.BigIntegerField(null=True, db_index=True)


class Device(models.Model):
    """One sign-in (couples/devices.py): a browser's session, or a token of its own for any other
    client. Signing a device out deletes its row (a browser's with its session), so every row is a
    device that is signed in now, or a token that has idled out and waits for the sweep."""

    class Kind(models.TextChoices):
        BROWSER = "browser"
        TOKEN = "token"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # A token is kept only as its SHA-256: the key is random (256 bits), so a fast digest is as
    # safe as a slow one, and a leaked table signs nobody in. The authentication looks it up here.
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # A browser's session; it going (sign-out, expiry, a new sign-in in that browser) takes the
    # device with it.
    session = models.OneToOneField(BrowserSession, on_delete=models.CASCADE, null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=now)
    # Moved on by use, at most once every DEVICE_TOUCH_MINUTES (couples/authentication.py).
    last_used_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="browser", session__isnull=False, token_digest__isnull=True))
                | (Q(kind="token", session__isnull=True, token_digest__isnull=False)),
                name="device_is_a_session_or_a_token",
            ),
        ]
        # The sweep of idle tokens: kind="token" AND last_used_at < a cut-off.
        indexes = [
            models.Index(fields=["last_used_at"], condition=Q(kind="token"), name="device_token_last_used"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} device {self.pk} of user {self.user_id}"


class Couple(models.Model):
    """Two people who check in together. A couple that ended keeps its history but no members."""

    paired_at = models.DateTimeField(default=now)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Couple {self.pk}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> "MembershipQuerySet":
        """The memberships of couples that last: `left_at` is set for both seats when one ends.
        The one spelling of "current" (couples/selectors.py builds "the user's couple" on it)."""
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    """A person's place in a couple. `left_at` is set for both seats when the couple ends."""

    class Seat(models.IntegerChoices):
        INVITER = 1
        JOINER = 2

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    seat = models.PositiveSmallIntegerField(choices=Seat.choices)
    joined_at = models.DateTimeField(default=now)
    left_at = models.DateTimeField(null=True, blank=True)
    # Set when this person left taking their answers and notes with them (POST /couple/leave with
    # remove_my_answers): the couple's revealed rounds then show their side as removed.
    answers_removed_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            # A person is in at most one couple at a time; the database says so, not only Python.
            models.UniqueConstraint(
                fields=["user"], condition=Q(left_at__isnull=True), name="one_current_couple_per_person"
            ),
            # Two seats, so never a third member.
            models.UniqueConstraint(fields=["couple", "seat"], name="one_person_per_seat"),
            models.UniqueConstraint(fields=["couple", "user"], name="one_membership_per_person_and_couple"),
            models.CheckConstraint(condition=Q(seat__in=[1, 2]), name="seat_is_inviter_or_joiner"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in couple {self.couple_id}"


class Invite(models.Model):
    """A pending or used invite. Only a keyed hash of the code is kept (see couples/invites.py)."""

    inviter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    couple = models.ForeignKey(Couple, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            # One live invite per person: a new invite replaces the older one.
            models.UniqueConstraint(
                fields=["inviter"], condition=Q(used_at__isnull=True), name="one_pending_invite_per_person"
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="invite_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"Invite by {self.inviter_id}"


class Schedule(models.Model):
    """When a couple checks in, in their local time, and when the next round is due (UTC)."""

    class Cadence(models.TextChoices):
        WEEKLY = schedules.WEEKLY, "weekly"
        EVERY_N_DAYS = schedules.EVERY_N_DAYS, "every N days"

    MAX_INTERVAL_DAYS = 365
    MAX_WINDOW_HOURS = 7 * 24

    couple = models.OneToOneField(Couple, on_delete=models.CASCADE, related_name="schedule")
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(default=6, help_text="0 = Monday .. 6 = Sunday")
    interval_days = models.PositiveSmallIntegerField(default=7)
    local_time = models.TimeField(default=time(19, 0))
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    window_hours = models.PositiveSmallIntegerField(default=48)
    anchor_date = models.DateField(help_text="Local date from which an every-N-days schedule counts.")
    # Null once the couple has ended: nothing is due for it any more.
    next_checkin_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="schedule_weekday_0_to_6"),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1, interval_days__lte=365), name="schedule_interval_1_to_365_days"
            ),
            models.CheckConstraint(
                condition=Q(window_hours__gte=1, window_hours__lte=168), name="schedule_window_1_to_168_hours"
            ),
            # A window never outlasts the period, so rounds of one couple never overlap.
            models.CheckConstraint(
                condition=Q(cadence="weekly") | Q(window_hours__lte=F("interval_days") * 24),
                name="schedule_window_within_period",
            ),
        ]
        indexes = [
            # The scheduler's tick: "schedules whose next_checkin_at <= now", ordered by it.
            models.Index(
                fields=["next_checkin_at"], condition=Q(next_checkin_at__isnull=False), name="schedule_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Schedule of couple {self.couple_id}"

    @property
    def recurrence(self) -> schedules.Recurrence:
        return schedules.Recurrence(
            cadence=cast(schedules.Cadence, self.cadence),  # the field's choices are the cadences
            local_time=self.local_time,
            timezone=self.timezone,
            weekday=self.weekday,
            interval_days=self.interval_days,
            anchor=self.anchor_date,
        )


PASSKEY_NAME_MAX_LENGTH = 60


class Passkey(models.Model):
    """A WebAuthn credential a person signs in with (couples/passkeys.py): its public key and what
    the authenticator said of it. The private key never leaves the person's device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    # Unique across everyone: signing in finds the passkey, and so the person, by this id alone.
    credential_id = models.BinaryField(max_length=1023, unique=True)
    public_key = models.BinaryField()  # COSE_Key, as the authenticator gave it
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    name = models.CharField(max_length=PASSKEY_NAME_MAX_LENGTH)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The person's list in Settings: "passkeys of user, oldest first".
            models.Index(fields=["user", "created_at"], name="passkey_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Passkey {self.pk} of {self.user_id}"
