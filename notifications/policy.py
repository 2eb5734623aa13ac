"""Who hears what, when, and how urgently. Pure rules over plain values, no ORM.

- A pause is honoured without question: while paused, round-opened and nudge messages are not
  filed at all, and everything else reaches the inbox only (no push, no email).
- Quiet hours are local wall times in the person's own zone and may span midnight. A delivery
  that falls due inside them is deferred to their end, never dropped.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from couples.schedules import local_instant
from notifications.kinds import Kind

# Messages that ask for something; a pause silences them entirely.
INVITATIONS = frozenset({Kind.ROUND_OPENED, Kind.NUDGE})

# Account emails: a reset link, an address to confirm, a change of address told to the old one.
# They go by email alone and at once, whatever the person's preferences, pause or quiet hours (a
# reset link must arrive while the person waits for it), and never reach the inbox or a push.
ACCOUNT_KINDS = frozenset({Kind.PASSWORD_RESET, Kind.EMAIL_CONFIRM, Kind.EMAIL_CHANGED})

# Web Push urgency (RFC 8030 section 5.3) and time to live per kind of event: a nudge is stale
# after a few hours, a result is worth seeing days later. Every kind but the account emails (never
# pushed) has both (tests/notifications/test_policy_tables.py). Keyed by str, which each kind is, so
# that a kind read from a row (a plain string) finds its entry.
URGENCY: dict[str, str] = {
    Kind.ROUND_OPENED: "normal",
    Kind.NUDGE: "low",
    Kind.RESULTS_READY: "normal",
    Kind.DISCUSSION_OPENED: "low",
    Kind.PARTNER_LEFT: "normal",
    Kind.INVITE_ACCEPTED: "normal",
    Kind.SCHEDULE_CHANGED: "low",
    # A signal never asks for anything at once: it waits for the phone's next good moment.
    Kind.SIGNAL_SENT: "low",
    Kind.SIGNAL_REPLIED: "low",
}
TTL_SECONDS: dict[str, int] = {
    Kind.ROUND_OPENED: 24 * 3600,
    Kind.NUDGE: 6 * 3600,
    Kind.RESULTS_READY: 3 * 24 * 3600,
    Kind.DISCUSSION_OPENED: 3 * 24 * 3600,
    Kind.PARTNER_LEFT: 7 * 24 * 3600,
    Kind.INVITE_ACCEPTED: 2 * 24 * 3600,
    Kind.SCHEDULE_CHANGED: 2 * 24 * 3600,
    # A space is for today, mostly; an invitation or its answer is stale after a day too.
    Kind.SIGNAL_SENT: 24 * 3600,
    Kind.SIGNAL_REPLIED: 24 * 3600,
}


def is_paused(paused_until: datetime | None, now: datetime) -> bool:
    return paused_until is not None and paused_until > now


def files_inbox(*, kind: str, paused_until: datetime | None, now: datetime) -> bool:
    return not (kind in INVITATIONS and is_paused(paused_until, now))


def sends_outside_inbox(*, paused_until: datetime | None, now: datetime) -> bool:
    return not is_paused(paused_until, now)


def quiet_until(*, now: datetime, start: time | None, end: time | None, timezone: str) -> datetime | None:
    """The UTC instant quiet hours end, if `now` falls inside them; None otherwise."""
    if start is None or end is None or start == end:
        return None
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    wall, today = local.time().replace(tzinfo=None), local.date()
    if start < end:  # e.g. 13:00-15:00
        inside, end_day = start <= wall < end, today
    elif wall >= start:  # spans midnight, e.g. 22:00-07:00, and it is late evening
        inside, end_day = True, today + timedelta(days=1)
    else:  # spans midnight, and it is early morning
        inside, end_day = wall < end, today
    if not inside:
        return None
    until = local_instant(end_day, end, zone)
    # A DST change can make the wall-clock end land at or before now (fall back): the next
    # instant with that wall time is then the end.
    return until if until > now else local_instant(end_day + timedelta(days=1), end, zone)
