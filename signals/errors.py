"""What the signal services refuse (foundation/errors.py has the kinds and says how each is answered)."""

from couples.errors import NotPaired
from foundation.errors import Conflict, NotFound, TooMany


class NoSuchSignal(NotFound):
    message = "No such signal."


class NoPartner(NotPaired):
    message = "You are not paired yet: signals go to a partner."


class NotYourSignal(Conflict):
    # A 409, not a 403: the API answers 403 only about signing in (../shared/API.md, Conventions).
    message = "This signal is your partner's: only they can take it back."


class AlreadyReplied(Conflict):
    message = "You have replied to this signal already."


class CoupleEnded(Conflict):
    message = "This couple has ended: its signals can still be read here, but no longer changed."


class TooManySignals(TooMany):
    message = "That is 5 signals in a day, which is as many as Tandem sends; you can send another later."
