"""Notifications that lapse before they go out: an invitation to answer a round is not sent once
the person has answered it or it has closed.

Only the app that files such a kind knows when it lapses, and notifications may not import it
(the apps depend one way: couples <- notifications <- checkin). So the dependency is inverted:
that app registers, in its AppConfig.ready, a check for its kinds that tells which of a batch's
notifications are still wanted, reading whatever it filed them under; sending asks `still_wanted`.
A kind with no check never lapses (tests/notifications/test_lapses.py holds the invitations of
notifications/policy.py to having one).
"""

from collections.abc import Callable, Collection, Iterable

from notifications.models import Notification

# Given notifications of the kinds it was registered for, the ids of those still wanted.
StillWanted = Callable[[list[Notification]], Collection[int]]

_checks: dict[str, StillWanted] = {}
_reasons: dict[str, str] = {}


def register(*, kinds: Iterable[str], still_wanted: StillWanted, reason: str = "answered or closed") -> None:
    """`reason`: what a delivery that lapsed says it was skipped for."""
    for kind in kinds:
        _checks[Notification.Kind(kind)] = still_wanted
        _reasons[Notification.Kind(kind)] = reason


def reason(kind: str) -> str:
    return _reasons[kind]


def lapsing_kinds() -> frozenset[str]:
    return frozenset(_checks)


def may_lapse(kind: str) -> bool:
    return kind in _checks


def still_wanted(notifications: Iterable[Notification]) -> set[int]:
    """The ids of those of `notifications` that may lapse and have not, a query or two per check
    whatever their number."""
    by_check: dict[StillWanted, list[Notification]] = {}
    for notification in notifications:
        if (check := _checks.get(notification.kind)) is not None:
            by_check.setdefault(check, []).append(notification)
    return {pk for check, batch in by_check.items() for pk in check(batch)}
