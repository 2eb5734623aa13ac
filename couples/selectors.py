"""Reads about people and couples, scoped to the person asking."""

from django.db.models import Prefetch

from checkin import selectors as checkin_selectors
from checkin.models import DiscussionNote
from couples.models import Couple, Invite, Membership, User
from notifications.models import Notification


def couple_current(*, user: User) -> Couple | None:
    """The couple `user` is in now, with its schedule and both memberships loaded."""
    current = Membership.objects.filter(left_at__isnull=True).select_related("user")
    return (
        Couple.objects.filter(memberships__user=user, memberships__left_at__isnull=True)
        .select_related("schedule")
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current_memberships"))
        .first()
    )


def partner_of(*, couple: Couple, user: User) -> User | None:
    """The other member of a couple loaded by `couple_current`."""
    memberships: list[Membership] = couple.current_memberships  # type: ignore[attr-defined]  # Prefetch's to_attr
    return next((m.user for m in memberships if m.user_id != user.pk), None)


def user_export(*, user: User) -> dict:
    """Everything stored about `user`, and of a partner only the name they showed them."""
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
                "paired_at": couple.paired_at.isoformat(),
                "ended_at": couple.ended_at.isoformat() if couple.ended_at else None,
                "left_at": membership.left_at.isoformat() if membership.left_at else None,
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
            "date_joined": user.date_joined.isoformat(),
        },
        "couples": couples,
        "invites": [
            {
                "created_at": invite.created_at.isoformat(),
                "expires_at": invite.expires_at.isoformat(),
                "used_at": invite.used_at.isoformat() if invite.used_at else None,
            }
            for invite in Invite.objects.filter(inviter=user).order_by("created_at")
        ],
        "checkins": checkin_selectors.export_of(user=user),
        "discussion_notes": [
            {"discussion_id": note.discussion_id, "text": note.text, "created_at": note.created_at.isoformat()}
            for note in DiscussionNote.objects.filter(author=user).order_by("created_at")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in Notification.objects.filter(user=user).order_by("created_at")
        ],
    }
