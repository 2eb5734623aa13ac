"""Reads about people and couples, scoped to the person asking.

"The user's current couple" is decided here only: `current_couple_ids` as a subquery for the ORM,
`is_paired` for whether there is one,
and CURRENT_COUPLE_SQL, its written-out twin for the busiest read (the current round's cache key
in checkin/selectors.py), which tests/couples/test_current_couple.py holds to the same answers.
So are "the couples the user is or was in" (`member_couple_ids`, MEMBER_COUPLES_SQL): what a
person may read of check-ins and talks, those of a couple that ended too.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from couples.models import Couple, Device, Invite, Membership, Passkey, User


def current_couple_ids(*, user: User) -> QuerySet[Membership, int]:
    """The id of the user's current couple (none when unpaired), to filter by as a subquery:
    `couple_id__in=` costs no query of its own."""
    return Membership.objects.current().filter(user=user).values_list("couple_id", flat=True)


def current_couple_id(*, user: User) -> int | None:
    return current_couple_ids(user=user).first()


# `current_couple_ids` written out, for statements written out in SQL: its value is the couple's id,
# under the parameter name user_id. Plain SQL, the same on PostgreSQL and SQLite.
CURRENT_COUPLE_SQL = (
    f"SELECT couple_id FROM {Membership._meta.db_table} WHERE user_id = %(user_id)s AND left_at IS NULL"
)


def member_couple_ids(*, user: User) -> QuerySet[Membership, int]:
    """The ids of every couple the user is or was in (the current one and those that ended), to
    filter by as a subquery: what they shared there stays theirs to read."""
    return Membership.objects.filter(user=user).values_list("couple_id", flat=True)


# `member_couple_ids` written out, under the parameter name user_id, as CURRENT_COUPLE_SQL is.
MEMBER_COUPLES_SQL = f"SELECT couple_id FROM {Membership._meta.db_table} WHERE user_id = %(user_id)s"


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


def person_export(*, user: User) -> dict[str, Any]:
    """What couples stores about `user` (their account, couples and invites), and of a partner
    only the name they showed them: the first part of workflows.selectors.user_export. Times are
    datetimes: the renderer writes every time of the export the one way the API does (UTC, "Z")."""
    memberships = (
        Membership.objects.filter(user=user).select_related("couple", "couple__schedule").order_by("joined_at")
    )
    partner_names = {
        m.couple_id: m.user.display_name
        for m in Membership.objects.filter(couple__memberships__user=user).exclude(user=user).select_related("user")
    }
    couples = []
    for membership in memberships:
        couple = membership.couple
        schedule = getattr(couple, "schedule", None)
        couples.append(
            {
                "id": couple.pk,
                "paired_at": couple.paired_at,
                "ended_at": couple.ended_at,
                "left_at": membership.left_at,
                "partner_display_name": partner_names.get(couple.pk),
                "schedule": None
                if schedule is None
                else {
                    "cadence": schedule.cadence,
                    "weekday": schedule.weekday,
                    "interval_days": schedule.interval_days,
                    "time": schedule.local_time.strftime("%H:%M"),
                    "timezone": schedule.timezone,
                    "window_hours": schedule.window_hours,
                },
            }
        )
    return {
        "user": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
            "date_joined": user.date_joined,
            "email_confirmed": user.email_confirmed,
            "pending_email": user.pending_email,
        },
        "couples": couples,
        "invites": [
            {
                "created_at": invite.created_at,
                "expires_at": invite.expires_at,
                "used_at": invite.used_at,
            }
            for invite in Invite.objects.filter(inviter=user).order_by("created_at")
        ],
        # What each sign-in is, never its secret (a token's digest, a session's key).
        "devices": list(
            devices_of(user=user)
            .order_by("created_at", "pk")
            .values("id", "kind", "user_agent", "created_at", "last_used_at")
        ),
    }


def devices_of(*, user: User) -> QuerySet[Device]:
    """`user`'s devices that are signed in: a token not idle for DEVICE_IDLE_DAYS (an older one is
    refused and waits for the sweep), a browser whose session has not expired. Most recently used first."""
    now = timezone.now()
    idle_cutoff = now - timedelta(days=settings.DEVICE_IDLE_DAYS)
    signed_in = Q(kind=Device.Kind.TOKEN, last_used_at__gte=idle_cutoff) | Q(
        kind=Device.Kind.BROWSER, session__expire_date__gt=now
    )
    return Device.objects.filter(signed_in, user=user).order_by("-last_used_at", "-pk")
