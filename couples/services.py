"""Every change to people, couples, invites and schedules goes through these functions.

couples imports neither checkin nor notifications: what a change means to them (a round that
closes, a partner who is told) is added by workflows/services.py, which calls these.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.request import Request

from couples import account_links, devices, invites, passkeys, schedules, selectors
from couples.errors import AlreadyPaired, NotPaired
from couples.models import Couple, Invite, Membership, Passkey, Schedule, User, normalize_email
from couples.throttles import LoginAccountThrottle, PasswordCheckThrottle
from foundation.errors import Conflict, Invalid, NotFound

INVITE_LIFETIME = timedelta(hours=48)
DEFAULT_WEEKDAY = 6  # Sunday
DEFAULT_TIME = time(19, 0)
DEFAULT_WINDOW_HOURS = 48

INVITER_PAIRED = "The person who invited you is already paired with someone else."
# One message for a wrong, an expired and a used code: which one it was would help a guesser.
INVALID_CODE = "This code is not valid. It may be mistyped, expired or already used; ask for a new one."


# Accounts


def user_register(
    *, email: str, password: str, display_name: str, timezone_name: str = "UTC", email_confirmed: bool = False
) -> User:
    """A new account; its address waits for confirmation unless `email_confirmed` (the demo's own
    addresses, which no link could reach)."""
    user = User(
        email=normalize_email(email), display_name=display_name, timezone=timezone_name, email_confirmed=email_confirmed
    )
    _validated_password(user=user, password=password, field="password")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Invalid({"email": ["This email cannot be used to register. Try logging in."]}) from None
    return user


@transaction.atomic
def user_update(*, user: User, display_name: str | None = None, timezone_name: str | None = None) -> User:
    fields = []
    if display_name is not None:
        user.display_name = display_name
        fields.append("display_name")
    if timezone_name is not None:
        user.timezone = timezone_name
        fields.append("timezone")
    if fields:
        user.save(update_fields=fields)
    return user


def _validated_password(*, user: User, password: str, field: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        raise Invalid({field: list(error.messages)}) from None


# One message for a wrong, a used and an expired link: which one it was would help a guesser.
INVALID_RESET_LINK = (
    "This link to reset your password does not work: it may be mistyped, already used or more than an hour "
    "old. Ask for a new one."
)
INVALID_CONFIRMATION_LINK = (
    "This confirmation link does not work: it may be mistyped, already used or too old. Ask for a new one in Settings."
)


@transaction.atomic
def password_reset_confirm(*, token: str, password: str) -> User:
    """Set a new password with a reset link's token, and sign out every device of the person."""
    user = account_links.password_reset_user(token)
    if user is None:
        raise Invalid({"token": [INVALID_RESET_LINK]})
    user = User.objects.select_for_update().get(pk=user.pk)
    # Checked again under the lock: of two uses of one link at once, the second finds it spent.
    if account_links.password_reset_user(token) is None:
        raise Invalid({"token": [INVALID_RESET_LINK]})
    _validated_password(user=user, password=password, field="password")
    user.set_password(password)
    user.save(update_fields=["password"])
    devices.sign_out_devices(user=user)
    return user


WRONG_CREDENTIALS = "That email and password do not match an account."
WRONG_CURRENT_PASSWORD = "That is not your current password."


def password_sign_in(*, request: HttpRequest, email: str, password: str) -> User:
    """The person whose email and password these are; Invalid otherwise, counted against the email
    whether or not it has an account (couples/throttles.py), so the answer tells nothing."""
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None:
        LoginAccountThrottle().failed(email=email)
        raise Invalid({"non_field_errors": [WRONG_CREDENTIALS]})
    return user


def password_confirm(*, user: User, password: str, field: str, wrong: str = WRONG_CURRENT_PASSWORD) -> None:
    """The person's own password, given again to confirm a change in Settings: Invalid on `field`
    (saying `wrong`) when it is not theirs, and counted with the wrong passwords of login for the
    same account (both are guesses at one password, so a stolen session guesses no faster)."""
    if not user.check_password(password):
        PasswordCheckThrottle().failed(email=user.email)
        raise Invalid({field: [wrong]})


@transaction.atomic
def password_change(*, request: Request, user: User, current_password: str, new_password: str) -> User:
    """Set a new password, once the current one is confirmed, and sign out every other device; the
    one `request` came from stays signed in, as the same device."""
    password_confirm(user=user, password=current_password, field="current_password")
    _validated_password(user=user, password=new_password, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    devices.sign_out_other_devices(request=request, user=user)
    return user


EMAIL_IS_YOURS = "That is already your email."


@transaction.atomic
def email_change_request(*, user: User, email: str, password: str) -> User:
    """Ask to move the account to `email`, once `password` confirms it is them: it waits as
    `pending_email` until its confirmation link is opened (workflows.services.email_change_request
    sends it). An address another account uses is taken in the same way, so the answer tells
    nothing about it (its link never goes out: notifications/account_emails.py)."""
    password_confirm(user=user, password=password, field="password")
    user = User.objects.select_for_update().get(pk=user.pk)
    address = normalize_email(email)
    if address == user.email:
        if user.pending_email is None:
            raise Invalid({"email": [EMAIL_IS_YOURS]})
        user.pending_email = None  # back to the address the account has: nothing waits any more
    else:
        user.pending_email = address
    user.save(update_fields=["pending_email"])
    return user


@dataclass(frozen=True)
class Confirmation:
    user: User
    previous_email: str | None  # the address it replaced, when the confirmation changed it


@transaction.atomic
def email_confirm(*, token: str) -> Confirmation:
    """Confirm the address a confirmation link was sent to: the account's own address, or the one
    it asked to change to, which then replaces it."""
    found = account_links.confirmation_user(token)
    if found is None:
        raise Invalid({"token": [INVALID_CONFIRMATION_LINK]})
    user = User.objects.select_for_update().get(pk=found.pk)
    # Checked again under the lock: the person may have asked for another address meanwhile.
    if account_links.confirmation_user(token) is None:
        raise Invalid({"token": [INVALID_CONFIRMATION_LINK]})
    previous = None
    if user.pending_email:
        if User.objects.filter(email=user.pending_email).exclude(pk=user.pk).exists():
            # Another account took the address since it was asked for: the same one message.
            raise Invalid({"token": [INVALID_CONFIRMATION_LINK]})
        previous, user.email, user.pending_email = user.email, user.pending_email, None
    user.email_confirmed = True
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "pending_email", "email_confirmed"])
    except IntegrityError:
        # Another account took the address at this very moment (the unique index says so).
        raise Invalid({"token": [INVALID_CONFIRMATION_LINK]}) from None
    return Confirmation(user=user, previous_email=previous)


# Passkeys


def passkey_add(*, user: User, credential: dict[str, Any], name: str) -> Passkey:
    """Save the passkey `credential` made for `user`, once its attestation checks out
    (couples/passkeys.py, which takes the challenge given to them)."""
    made = passkeys.registration_verify(user=user, credential=credential)
    try:
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                credential_id=made.credential_id,
                public_key=made.public_key,
                sign_count=made.sign_count,
                transports=made.transports,
                name=name,
            )
    except IntegrityError:
        # The credential id is unique: an authenticator never makes the same one twice, so this is
        # the same answer sent again.
        raise Invalid({"credential": ["This passkey is added already."]}) from None


def passkey_sign_in(*, credential: dict[str, Any]) -> User:
    """The person whose passkey signed `credential` (an assertion answering a sign-in challenge),
    its use recorded; Invalid for anything else (couples/passkeys.py says what)."""
    assertion = passkeys.assertion_read(credential)
    with transaction.atomic():
        # Locked, so that two sign-ins at once compare their sign counts in turn.
        passkey = (
            Passkey.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(credential_id=assertion.credential_id)
            .first()
        )
        if passkey is None:
            raise Invalid({"credential": [passkeys.UNKNOWN_PASSKEY]})
        verified = passkeys.assertion_verify(assertion=assertion, passkey=passkey)
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey.user


def passkey_remove(*, user: User, passkey_id: int) -> None:
    """Remove one of `user`'s passkeys: it signs nobody in any more (the authenticator keeps its
    half until the person deletes it there)."""
    removed, _ = Passkey.objects.filter(user=user, pk=passkey_id).delete()
    if not removed:
        raise NotFound()


# Pairing


def couple_lock_current(*, user: User) -> Couple | None:
    """The user's current couple, row-locked, so that both partners acting at once (both leaving,
    one leaving while the other edits the schedule) take turns instead of deadlocking."""
    couple_id = selectors.current_couple_id(user=user)
    if couple_id is None:
        return None
    couple = Couple.objects.select_for_update().get(pk=couple_id)
    # The partner may have ended it while we waited for the lock.
    return couple if couple.ended_at is None else None


def _lock_person(user: User) -> None:
    # Serializes the pairing actions of one person (two invites at once, invite while joining).
    User.objects.select_for_update().filter(pk=user.pk).first()


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    expires_at: datetime


@transaction.atomic
def invite_create(*, user: User) -> IssuedInvite:
    """A fresh code for `user`; it replaces any invite they had before."""
    _lock_person(user)
    if selectors.is_paired(user=user):
        raise AlreadyPaired()
    Invite.objects.filter(inviter=user, used_at__isnull=True).delete()
    now = timezone.now()
    code = invites.generate_code()
    invite = Invite.objects.create(
        inviter=user, code_hash=invites.hash_code(code), created_at=now, expires_at=now + INVITE_LIFETIME
    )
    return IssuedInvite(code=invites.display_code(code), expires_at=invite.expires_at)


@dataclass(frozen=True)
class Pairing:
    couple: Couple
    inviter: User


def couple_join(*, user: User, code: str) -> Pairing:
    """Pair `user` with the person who made the invite `code` (workflows.services.couple_join tells
    the inviter).

    Two people joining the same code at the same instant: the inviter's row is locked, so the
    second waits, then finds the invite used and gets the same 400 as for any invalid code.
    """
    canonical = invites.canonical_code(code)
    if canonical is None:
        raise Invalid({"code": [INVALID_CODE]})
    code_hash = invites.hash_code(canonical)
    try:
        with transaction.atomic():
            return _couple_join(user=user, code_hash=code_hash)
    except IntegrityError:
        # The partial unique index on Membership refuses a second current couple when a
        # concurrent request paired one of the two first: that, and only that, is said as such,
        # found by looking at what is now stored rather than by reading the database's message.
        # Any other refusal (the default schedule's constraints, say) is a bug and is not disguised.
        if selectors.is_paired(user=user):
            raise AlreadyPaired() from None
        invite = Invite.objects.filter(code_hash=code_hash).select_related("inviter").first()
        if invite is not None and selectors.is_paired(user=invite.inviter):
            raise Conflict(INVITER_PAIRED) from None
        raise


def _couple_join(*, user: User, code_hash: str) -> Pairing:
    now = timezone.now()
    live = Invite.objects.filter(code_hash=code_hash, used_at__isnull=True, expires_at__gt=now)
    inviter_id = live.values_list("inviter_id", flat=True).first()
    if inviter_id is None:
        raise Invalid({"code": [INVALID_CODE]})
    # Lock both people in one order (by id) before the invite: two people joining each other's
    # codes at once then queue up instead of deadlocking on each other's rows.
    list(User.objects.select_for_update().filter(pk__in={user.pk, inviter_id}).order_by("pk"))
    invite = live.select_for_update().select_related("inviter").first()
    if invite is None:
        raise Invalid({"code": [INVALID_CODE]})
    if invite.inviter_id == user.pk:
        raise Invalid({"code": ["This is your own invite. Share it with your partner instead."]})
    if selectors.is_paired(user=user):
        raise AlreadyPaired()
    inviter = invite.inviter
    if selectors.is_paired(user=inviter):
        raise Conflict(INVITER_PAIRED)

    couple = Couple.objects.create(paired_at=now)
    Membership.objects.bulk_create(
        [
            Membership(couple=couple, user=inviter, seat=Membership.Seat.INVITER, joined_at=now),
            Membership(couple=couple, user=user, seat=Membership.Seat.JOINER, joined_at=now),
        ]
    )
    invite.used_at = now
    invite.couple = couple
    invite.save(update_fields=["used_at", "couple"])
    # The joiner may have had an invite of their own out; it has no use now.
    Invite.objects.filter(inviter=user, used_at__isnull=True).delete()
    schedule_create_default(couple=couple, timezone_name=inviter.timezone, now=now)
    return Pairing(couple=couple, inviter=inviter)


def couple_end(*, couple: Couple, leaver: User, now: datetime, answers_removed: bool = False) -> list[int]:
    """End a couple the caller has locked (`couple_lock_current`): its members leave it and its
    schedule stops; `answers_removed` records that the leaver takes their answers along (which
    checkin removes). Returns the ids of the partners left behind. The caller holds a transaction
    (workflows.services.couple_leave and user_delete, which also close its open round and tell the
    partner)."""
    couple.ended_at = now
    couple.save(update_fields=["ended_at"])
    partner_ids = selectors.current_member_ids(couple_id=couple.pk, but=leaver)
    Membership.objects.current().filter(couple=couple).update(left_at=now)
    if answers_removed:
        Membership.objects.filter(couple=couple, user=leaver).update(answers_removed_at=now)
    # Reminders stop at once: nothing is due for an ended couple.
    Schedule.objects.filter(couple=couple).update(next_checkin_at=None, updated_at=now)
    return partner_ids


# Schedules: `next_checkin_at`, when the tick opens a couple's next round, is written here only:
# from the recurrence (couples/schedules.py) when a schedule is made or changes when check-ins
# come, None when its couple ends (couple_end), and by the tick through schedules_move_on.


def schedules_move_on(*, next_checkins: dict[int, datetime | None]) -> None:
    """Move schedules (by id) on to the next check-in the tick planned for each: the occurrence
    after the one it opened or skipped, or a retry after a failure. The caller holds a transaction."""
    # One UPDATE per distinct time rather than one CASE over the whole batch: in the herd almost
    # every couple of a batch moves on to the same instant.
    ids_by_time: dict[datetime | None, list[int]] = {}
    for schedule_id, next_checkin_at in next_checkins.items():
        ids_by_time.setdefault(next_checkin_at, []).append(schedule_id)
    for next_checkin_at, ids in ids_by_time.items():
        Schedule.objects.filter(pk__in=ids).update(next_checkin_at=next_checkin_at)


def schedule_create_default(*, couple: Couple, timezone_name: str, now: datetime) -> Schedule:
    schedule = Schedule(
        couple=couple,
        cadence=Schedule.Cadence.WEEKLY,
        weekday=DEFAULT_WEEKDAY,
        interval_days=7,
        local_time=DEFAULT_TIME,
        timezone=timezone_name,
        window_hours=DEFAULT_WINDOW_HOURS,
        anchor_date=_first_day_at(DEFAULT_TIME, ZoneInfo(timezone_name), now),
        updated_at=now,
    )
    schedule.next_checkin_at = schedules.next_occurrence(schedule.recurrence, after=now)
    schedule.save()
    return schedule


SCHEDULE_FIELDS = ("cadence", "weekday", "interval_days", "local_time", "timezone", "window_hours")


@transaction.atomic
def schedule_update(*, user: User, changes: dict[str, Any]) -> Schedule:
    """Apply `changes` (any of SCHEDULE_FIELDS) to the user's couple's schedule (workflows.services
    .schedule_update tells the partner)."""
    couple = couple_lock_current(user=user)
    if couple is None:
        raise NotPaired()
    schedule = Schedule.objects.select_for_update().get(couple=couple)
    when_before = _when(schedule)
    for field in SCHEDULE_FIELDS:
        if field in changes:
            setattr(schedule, field, changes[field])
    _validate_window(schedule)
    now = timezone.now()
    # Only a change of when check-ins come starts the schedule again from now: a longer or
    # shorter window (or a weekday an every-N-days schedule does not use) keeps the next one.
    if _when(schedule) != when_before:
        schedule.anchor_date = _first_day_at(schedule.local_time, ZoneInfo(schedule.timezone), now)
        schedule.next_checkin_at = schedules.next_occurrence(schedule.recurrence, after=now)
    schedule.updated_at = now
    schedule.save(update_fields=[*SCHEDULE_FIELDS, "anchor_date", "next_checkin_at", "updated_at"])
    return schedule


def _when(schedule: Schedule) -> tuple[str, int | None, time, str]:
    """What decides when the check-ins of `schedule` come."""
    period = schedule.weekday if schedule.cadence == Schedule.Cadence.WEEKLY else schedule.interval_days
    return (schedule.cadence, period, schedule.local_time, schedule.timezone)


def _first_day_at(local_time: time, zone: ZoneInfo, now: datetime) -> date:
    """The local date of the soonest `local_time` from now: an every-N-days schedule counts its
    periods from there, so a schedule set in the afternoon starts tomorrow, not in N days."""
    today = now.astimezone(zone).date()
    return today if schedules.local_instant(today, local_time, zone) > now else today + timedelta(days=1)


def _validate_window(schedule: Schedule) -> None:
    period_hours = 24 * (7 if schedule.cadence == Schedule.Cadence.WEEKLY else schedule.interval_days)
    if schedule.window_hours > period_hours:
        raise Invalid(
            {
                "window_hours": [
                    f"The response window ({schedule.window_hours} h) must not be longer than the time "
                    f"between check-ins ({period_hours} h)."
                ]
            }
        )
