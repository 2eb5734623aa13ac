"""Reads about people and couples, scoped to the person asking.

"The user's current couple" is decided here only (`current_couple_ids`, a subquery to filter by,
and `is_paired` for whether there is one), and so are "the couples the user is or was in"
(`member_couple_ids`): what a person may read of check-ins and talks, those of a couple that
ended too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from couples.models import Couple, Device, Invite, Membership, Passkey, User


def current_couple_ids(*, user: User) -> QuerySet[Membership, int]:
    """The id of the user's current couple (none when unpaired), to filter by as a subquery:
    `couple_id__in=` costs no query of its own."""
    return Membership.objects.current().filter(user=user).values_list("couple_id", flat=True)


def current_couple_id(*, user: User) -> int | None:
    return current_couple_ids(user=user).first()


def member_couple_ids(*, user: User) -> QuerySet[Membership, int]:
    """The ids of every couple the user is or was in (the current one and those that ended), to
    filter by as a subquery: what they shared there stays theirs to read."""
    return Membership.objects.filter(user=user).values_list("couple_id", flat=True)


def is_paired(*, user: User) -> bool:
    return current_couple_ids(user=user).exists()


def current_members_of(*, couple_ids: Iterable[int], but: User | None = None) -> list[tuple[int, int]]:
    """The people in these couples now, as (couple id, person id) pairs (none for a couple that has
    ended), but `but`: the one who acted, and knows. The one spelling of "the partners now"."""
    members = Membership.objects.current().filter(couple_id__in=couple_ids)
    if but is not None:
        members = members.exclude(user=but)
    return list(members.values_list("couple_id", "user_id"))


def current_member_ids(*, couple_id: int, but: User | None = None) -> list[int]:
    """The people in a couple now (none once it has ended), but `but`."""
    return [user_id for _, user_id in current_members_of(couple_ids=[couple_id], but=but)]


def couple_current(*, user: User) -> Couple | None:
    """The couple `user` is in now, with its schedule and both memberships loaded."""
    current = Membership.objects.current().select_related("user")
    return (
        Couple.objects.filter(pk__in=current_couple_ids(user=user))
        .select_related("schedule")
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current_memberships"))
        .first()
    )


def partner_of(*, couple: Couple, user: User) -> User | None:
    """The other member of a couple loaded by `couple_current`."""
    memberships: list[Membership] = couple.current_memberships  # type: ignore[attr-defined]  # Prefetch's to_attr
    return next((m.user for m in memberships if m.user_id != user.pk), None)


def passkeys_of(*, user: User) -> QuerySet[Passkey]:
    """The person's passkeys, oldest first."""
    return Passkey.objects.filter(user=user).order_by("created_at", "pk")


@dataclass(frozen=True)
class PersonExport:
    """What couples stores about a person, for their export (workflows.selectors.user_export): their
    account, their memberships (each with its couple, schedule and `partner_display_name`, the
    only thing of a partner it holds), the invites they made and their signed-in devices."""

    user: User
    memberships: QuerySet[Membership]
    invites: QuerySet[Invite]
    devices: QuerySet[Device]


def person_export(*, user: User) -> PersonExport:
    partner = Membership.objects.filter(couple_id=OuterRef("couple_id")).exclude(user_id=user.pk)
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("couple", "couple__schedule")
        .annotate(partner_display_name=Subquery(partner.values("user__display_name")[:1]))
        .order_by("joined_at")
    )
    return PersonExport(
        user=user,
        memberships=memberships,
        invites=Invite.objects.filter(inviter=user).order_by("created_at"),
        devices=devices_of(user=user).order_by("created_at", "pk"),
    )


def devices_of(*, user: User) -> QuerySet[Device]:
    """`user`'s devices that are signed in: a token not idle for DEVICE_IDLE_DAYS (an older one is
    refused and waits for the sweep), a browser whose session has not expired. Most recently used first."""
    now = timezone.now()
    idle_cutoff = now - timedelta(days=settings.DEVICE_IDLE_DAYS)
    signed_in = Q(kind=Device.Kind.TOKEN, last_used_at__gte=idle_cutoff) | Q(
        kind=Device.Kind.BROWSER, session__expire_date__gt=now
    )
    return Device.objects.filter(signed_in, user=user).order_by("-last_used_at", "-pk")
