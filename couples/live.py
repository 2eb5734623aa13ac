"""Telling the open apps that something changed for them: the one owner of "what changed since".

Every write that changes what a person's screens show calls `people_changed` or `couple_changed`
with the topics it touched; after commit, each topic of each person gets a fresh stamp in the
cache. `GET /api/v1/changes?since=<cursor>` (couples/views.py, `ChangesView`) compares the stamps
a cursor saw with the current ones in one cache read and no database query, so an app in view can
ask every few seconds at little cost (bench/RESULTS.md, "Live"; ARCHITECTURE.md says why this
rather than server-sent events or a plain poll).

A cursor is signed (django.core.signing), names its user and a hash of the credential it was
issued with (the session cookie or the token), and expires after a day: it tells only topic names
for that person, to the holder of that person's credential.
"""

import secrets
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import salted_hmac

from couples.models import Membership


class Topic(StrEnum):
    """What a screen shows, as the app refetches it."""

    COUPLE = "couple"  # paired, the partner left
    SCHEDULE = "schedule"
    ROUND = "round"  # an answer, the reveal, the analysis, a round opened or closed
    TALKS = "talks"  # a Talk opened, a note, resolved
    INBOX = "inbox"  # a notification filed (the unread count)
    SIGNALS = "signals"  # a signal sent, replied to or taken back


# A cursor is good for a day: an app that stayed open longer asks for a new one (without since).
CURSOR_MAX_AGE_SECONDS = 24 * 60 * 60
# A stamp outlives every cursor that may have seen it; once gone, a cursor that saw it reads "changed".
_STAMP_SECONDS = CURSOR_MAX_AGE_SECONDS + 60 * 60
_SALT = "tandem.live.cursor"


def people_changed(*, user_ids: Iterable[int], topics: Iterable[Topic]) -> None:
    """After the current transaction commits, `topics` changed for each of `user_ids`."""
    user_ids, topics = sorted(set(user_ids)), sorted(set(topics))
    if user_ids and topics:
        transaction.on_commit(lambda: _stamp(user_ids, topics), robust=True)


def couple_changed(*, couple_ids: Iterable[int], topics: Iterable[Topic]) -> None:
    """After commit, `topics` changed for everyone who is or was in one of `couple_ids` (both read
    the couple's rounds and Talks, after it ended too): the one who acted as well, whose other
    devices follow. Costs one query after commit, outside the transaction's locks."""
    couple_ids, topics = sorted(set(couple_ids)), sorted(set(topics))
    if not couple_ids or not topics:
        return

    def stamp_members() -> None:
        members = Membership.objects.filter(couple_id__in=couple_ids).values_list("user_id", flat=True)
        _stamp(sorted(set(members)), topics)

    transaction.on_commit(stamp_members, robust=True)


# Not a topic: stamped when a device of the person is signed out, so that a cursor issued before
# holds no more and the next question authenticates (a signed-out device then gets its 401).
SIGNED_OUT = "signed-out"


def devices_signed_out(*, user_id: int) -> None:
    """After commit: a device of `user_id` was signed out (couples/devices.py)."""
    transaction.on_commit(lambda: _stamp([user_id], [SIGNED_OUT]), robust=True)


def signed_out_since(*, seen: Mapping[str, str], now: Mapping[str, str]) -> bool:
    """Whether a device of the person was signed out since the cursor that saw `seen`."""
    return seen.get(SIGNED_OUT) != now.get(SIGNED_OUT)


def _key(user_id: int, topic: str) -> str:
    return f"live:{user_id}:{topic}"


def _stamp(user_ids: list[int], topics: Sequence[str]) -> None:
    # A fresh random stamp rather than a counter: a counter that the cache lost (evicted, flushed)
    # would start again at 1 and could meet the very value an old cursor saw; a random stamp never
    # does, and a missing one reads as changed to every cursor that saw one.
    stamp = secrets.token_urlsafe(6)
    cache.set_many({_key(user_id, topic): stamp for user_id in user_ids for topic in topics}, _STAMP_SECONDS)


def stamps_of(user_id: int) -> dict[str, str]:
    """The current stamp of each topic that has one (and of SIGNED_OUT), for `user_id`: one cache read."""
    keys = {_key(user_id, topic): topic for topic in [*(topic.value for topic in Topic), SIGNED_OUT]}
    return {keys[key]: stamp for key, stamp in cache.get_many(list(keys)).items()}


def credential_hash(credential: str) -> str:
    """What a cursor keeps of the credential it was issued with: enough to tell it is the same,
    nothing to sign in with."""
    return salted_hmac(_SALT, credential).hexdigest()[:20]


def cursor_issue(*, user_id: int, credential: str, stamps: Mapping[str, str]) -> str:
    return signing.dumps({"u": user_id, "k": credential_hash(credential), "s": dict(stamps)}, salt=_SALT)


class CursorRefused(Exception):
    """A cursor that does not hold: forged, expired, or issued to another sign-in."""


def cursor_read(cursor: str, *, credential: str) -> tuple[int, dict[str, str]]:
    """The user id and the stamps a cursor saw, if it is ours, still good and issued with this
    credential; else CursorRefused, saying why in the person's words."""
    try:
        seen = signing.loads(cursor, salt=_SALT, max_age=CURSOR_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise CursorRefused("This cursor has expired; ask again without since.") from None
    except signing.BadSignature:
        raise CursorRefused("This is not a cursor Tandem issued; ask again without since.") from None
    if not credential or seen.get("k") != credential_hash(credential):
        raise CursorRefused("This cursor was issued to another sign-in; ask again without since.")
    return int(seen["u"]), dict(seen["s"])


def changed_topics(*, seen: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The topics whose stamp differs between what a cursor saw and now, in Topic's order."""
    return [topic.value for topic in Topic if seen.get(topic.value) != now.get(topic.value)]
