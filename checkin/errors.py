"""What the check-in services refuse (foundation/errors.py has the kinds and says how each is answered)."""

from foundation.errors import Conflict, NotFound


class NoSuchRound(NotFound):
    message = "No such check-in."


class NoOpenRound(NotFound):
    message = "No check-in is open right now."


class NoSuchDiscussion(NotFound):
    message = "No such discussion."


class RoundAlreadyOpen(Conflict):
    message = "A check-in is already open. Answer it first."


class RoundClosed(Conflict):
    message = "This check-in is closed: it was revealed or its window has ended."


class CoupleEnded(Conflict):
    message = "This couple has ended: what you shared can still be read here, but no longer changed."
