"""The changes that span the apps: each calls the services of the apps it spans, in one
transaction, so that what it means to each (a couple ends, its round closes, the partner is told)
commits or rolls back together."""

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from checkin import services as checkin_services
from couples import account_links, devices, live
from couples import services as couples_services
from couples.errors import NotPaired
from couples.models import Couple, Schedule, User, normalize_email
from couples.selectors import current_member_ids, member_couple_ids
from couples.serializers import ScheduleSerializer
from foundation.errors import Conflict
from notifications.models import Notification
from notifications.services import account_email_file, notify, notify_at_most_every
from signals import services as signals_services
from workflows import later, subjects


@transaction.atomic
def couple_join(*, user: User, code: str) -> couples_services.Pairing:
    """Pair `user` with the person who made the invite `code`, and tell the inviter."""
    pairing = couples_services.couple_join(user=user, code=code)
    notify(
        user_ids=[pairing.inviter.pk],
        kind=Notification.Kind.INVITE_ACCEPTED,
        subject=subjects.of_couple(pairing.couple.pk),
        partner=user.display_name,
    )
    live.couple_changed(
        couple_ids=[pairing.couple.pk], topics=[live.Topic.COUPLE, live.Topic.SCHEDULE, live.Topic.ROUND]
    )
    return pairing


# A partner hears of schedule changes at most this often, and then of the latest (API-next.md,
# "How much Tandem says"): a few edits in a row are one message, not one each.
SCHEDULE_CHANGES_TOLD_EVERY = timedelta(minutes=15)


@transaction.atomic
def schedule_update(*, user: User, changes: dict[str, Any]) -> Schedule:
    """Change the couple's schedule (couples.services.schedule_update) and tell the partner."""
    schedule = couples_services.schedule_update(user=user, changes=changes)
    # Told at once on screen, although the message may wait (notify_at_most_every).
    live.couple_changed(couple_ids=[schedule.couple_id], topics=[live.Topic.SCHEDULE])
    # schedule_update holds the schedule's row lock until commit: changes at once are told in turn.
    notify_at_most_every(
        SCHEDULE_CHANGES_TOLD_EVERY,
        user_ids=current_member_ids(couple_id=schedule.couple_id, but=user),
        kind=Notification.Kind.SCHEDULE_CHANGED,
        topic=subjects.of_schedule(schedule.pk),
        data={"schedule": ScheduleSerializer(schedule).data},
        partner=user.display_name,
    )
    return schedule


@transaction.atomic
def couple_leave(*, user: User, remove_my_answers: bool = False) -> None:
    """End the user's couple, alone and at once. Both can pair again; both keep reading what the
    couple shared (checkin.selectors), except what the leaver takes along with
    `remove_my_answers`: their answers and notes, which the partner then sees were removed."""
    couple = couples_services.couple_lock_current(user=user)
    if couple is None:
        raise NotPaired()
    if remove_my_answers:
        checkin_services.answers_take_away(user=user, couple_id=couple.pk)
    _couple_end(couple=couple, leaver=user, answers_removed=remove_my_answers)


@transaction.atomic
def user_update(*, user: User, display_name: str | None = None, timezone_name: str | None = None) -> User:
    """Change the account (couples.services.user_update); a new name is shown on the rounds."""
    renamed = display_name is not None and display_name != user.display_name
    user = couples_services.user_update(user=user, display_name=display_name, timezone_name=timezone_name)
    if renamed:
        live.couple_changed(
            couple_ids=member_couple_ids(user=user), topics=[live.Topic.COUPLE, live.Topic.ROUND, live.Topic.TALKS]
        )
    return user


# Accounts: registration, a way back in and a change of address, each with its email


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str, timezone_name: str = "UTC") -> User:
    """A new account (couples.services.user_register), and a link to confirm its address."""
    user = couples_services.user_register(
        email=email, password=password, display_name=display_name, timezone_name=timezone_name
    )
    email_confirmation_send(user=user)
    return user


def password_reset_request(*, email: str) -> None:
    """Ask for a reset link for `email`: the same for every address, known or not (workflows/later.py)."""
    later.password_reset_mail(normalize_email(email))


@transaction.atomic
def password_reset_mail(*, email: str, request: str) -> None:
    """The worker's half of a reset request: a known, active address gets its reset link."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is not None:
        account_email_file(user_id=user.pk, kind=Notification.Kind.PASSWORD_RESET, request=request)


def email_confirmation_send(*, user: User) -> None:
    """(Again) send the link that confirms the address waiting for it; the caller holds a transaction."""
    account_email_file(user_id=user.pk, kind=Notification.Kind.EMAIL_CONFIRM, request=uuid.uuid4().hex)


ALREADY_CONFIRMED = "Your email is already confirmed."


@transaction.atomic
def email_confirmation_resend(*, user: User) -> None:
    """Send the confirmation link again; Conflict when no address waits for one."""
    if account_links.address_to_confirm(user) is None:
        raise Conflict(ALREADY_CONFIRMED)
    email_confirmation_send(user=user)


@transaction.atomic
def email_change_request(*, user: User, email: str, password: str) -> User:
    """Ask to move the account to `email`, once the password confirms it is them; the link that
    confirms the address goes there (nothing goes when the request only takes back a pending change)."""
    user = couples_services.email_change_request(user=user, email=email, password=password)
    if user.pending_email:
        email_confirmation_send(user=user)
    return user


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Confirm an address by its link; a change that takes effect is told to the old address."""
    confirmation = couples_services.email_confirm(token=token)
    if confirmation.previous_email:
        account_email_file(
            user_id=confirmation.user.pk,
            kind=Notification.Kind.EMAIL_CHANGED,
            request=uuid.uuid4().hex,
            address=confirmation.previous_email,
        )
    return confirmation.user


WRONG_PASSWORD_TO_DELETE = "That is not your password. Enter it again to delete your account."


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """Delete the account and everything that is only theirs, once the password confirms it is
    them; the partner is told the couple ended."""
    couples_services.password_confirm(user=user, password=password, field="password", wrong=WRONG_PASSWORD_TO_DELETE)
    couple = couples_services.couple_lock_current(user=user)
    if couple is not None:
        _couple_end(couple=couple, leaver=user)
    # The signals they sent go with the account (its foreign key); their replies go here.
    signals_services.signals_forget_person(user=user)
    # Every device: the browsers' sessions (which hold the person's id, so none is missed) and tokens.
    devices.sign_out_devices(user=user)
    user.delete()


def _couple_end(*, couple: Couple, leaver: User, answers_removed: bool = False) -> None:
    now = timezone.now()
    partner_ids = couples_services.couple_end(couple=couple, leaver=leaver, now=now, answers_removed=answers_removed)
    # Reminders stop at once: the schedule stopped above, and its open round closes.
    checkin_services.couple_rounds_close(couple_id=couple.pk, now=now)
    live.couple_changed(
        couple_ids=[couple.pk], topics=[live.Topic.COUPLE, live.Topic.SCHEDULE, live.Topic.ROUND, live.Topic.TALKS]
    )
    notify(user_ids=partner_ids, kind=Notification.Kind.PARTNER_LEFT, subject=subjects.of_couple(couple.pk))
