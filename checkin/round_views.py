"""The round views as the JSON text the API serves, cached: the current round and the history's
pages. The selectors read the data (checkin/selectors.py), RoundSerializer shapes it
(`round_shaped`, the one source of the shape), and this keeps the text.

Round views are read far more often than they change: the app opens on the current round and the
history many times between two weekly rounds. So the two are cached, under keys made of what they
show: the viewer, the rounds and the rounds' versions. Every change to what a round shows moves
its version on in the change's own transaction (checkin/round_changes.py), so a read that starts
after the change commits builds a new key. The key is read before the view, so a cached view is
never older than its key. Reads follow the clock: a round whose closes_at has passed is never
shown as open, even before the tick expires it, so the keys are read at one instant, `now`, and
the view is built for that instant (the current round's key names only a round whose window still
runs at `now`; the history's counts the rounds whose window has ended unrecorded). A key holds one
viewer's view: nothing cached for one partner is ever served to the other. A hit costs the key's
read and the cache's; the text is served as it is
(config/renderers.py). With the cache down, every read is built, as `uncached` builds it
(tests/checkin/test_round_views_cache.py holds the two to the same text).
"""

import logging
from collections.abc import Callable
from typing import NamedTuple, overload

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from checkin import selectors
from checkin.serializers import round_shaped
from config.renderers import JSONRenderer, RenderedJSON
from couples.models import User

log = logging.getLogger(__name__)

# The prefix names the format the views are kept in (JSON text made by RoundSerializer; earlier
# releases kept dicts under "checkin:"), so that a process of one release never reads what another
# cached.
# :3 since RoundSerializer writes them, :5 since my answer shows its made_at and a side says `removed`.
_KEY_PREFIX = "checkin:json:5"


def written(view: selectors.RoundView) -> bytes:
    """A round view (selectors.round_view) as the JSON text the API serves for it. Plain bytes,
    not RenderedJSON, go to the cache: they unpickle without importing a class."""
    return bytes(JSONRenderer.written(round_shaped(view)))


@overload
def _cached(key: str, build: Callable[[], bytes | None]) -> bytes | None: ...
@overload
def _cached(key: str, build: Callable[[], list[bytes]]) -> list[bytes]: ...
def _cached(key: str, build: Callable[[], list[bytes] | bytes | None]) -> list[bytes] | bytes | None:
    """The text cached under `key`, or `build()`'s, cached. A failing cache is passed by."""
    try:
        found = cache.get(key)
    except Exception:  # the cache backend's own errors (Redis down, say): it only saves work
        log.warning("The round views cache cannot be read; reading the database instead.")
        return build()
    if found is not None:
        return found
    text = build()
    if text is not None:
        try:
            cache.set(key, text, timeout=settings.ROUND_VIEWS_CACHE_SECONDS)
        except Exception:
            log.warning("The round views cache cannot be written; the view is served uncached.")
    return text


class Current(NamedTuple):
    round_id: int
    text: RenderedJSON
    unread: bool  # the reader has unread notifications about it (read with the key, never cached)


def current(*, user: User, cached: bool = True) -> Current | None:
    """The open round as the user may see it: its id, its JSON text and whether the user has
    unread notifications about it; or None."""
    now = timezone.now()
    key = selectors.open_round_key(user=user, now=now)
    if key is None:
        return None
    round_id, version, unread = key

    def build() -> bytes | None:
        view = selectors.open_round_view(user=user, round_id=round_id, now=now)
        return None if view is None else written(view)

    # The round's id is its couple's (never another's), and the key's read scoped it to the user.
    text = _cached(f"{_KEY_PREFIX}:current:{round_id}:{version}:viewer:{user.pk}", build) if cached else build()
    return None if text is None else Current(round_id, RenderedJSON(text), unread)


class History:
    """The rounds of every couple the user is or was in, newest first, as they may see them, for
    a paginator: each page a list of JSON texts. `count()` is one query, which also makes the key
    of the cached pages; a page not cached is one query more."""

    def __init__(self, *, user: User, cached: bool = True) -> None:
        self.user = user
        self.use_cache = cached
        self._now = timezone.now()
        self._state: tuple[int, int, int] | None = None

    def _rounds_and_changes(self) -> tuple[int, int, int]:
        if self._state is None:
            self._state = selectors.history_state(user=self.user, now=self._now)
        return self._state

    def count(self) -> int:
        return self._rounds_and_changes()[0]

    def __getitem__(self, page: slice) -> list[RenderedJSON]:
        rounds, changes, ended_unrecorded = self._rounds_and_changes()
        if not rounds:
            return []

        def build() -> list[bytes]:
            views = selectors.history_page(user=self.user, page=page, now=self._now)
            return [written(view) for view in views]

        key = (
            f"{_KEY_PREFIX}:history:{rounds}:{changes}:{ended_unrecorded}"
            f":viewer:{self.user.pk}:{page.start}:{page.stop}"
        )
        texts = _cached(key, build) if self.use_cache else build()
        return [RenderedJSON(text) for text in texts]
