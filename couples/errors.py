"""What the pairing services refuse (foundation/errors.py has the kinds and says how each is answered)."""

from foundation.errors import Conflict, NotFound


class AlreadyPaired(Conflict):
    message = "You are already paired. Leave your current couple first."


class NotPaired(NotFound):
    """A 404, as the contract says of the couple when one is not paired (../shared/API.md): there
    is no couple of theirs to read or change."""

    message = "You are not paired yet."
