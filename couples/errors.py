"""What the pairing services refuse (foundation/errors.py has the kinds and says how each is answered)."""

from foundation.errors import Conflict


class AlreadyPaired(Conflict):
    message = "You are already paired. Leave your current couple first."


class NotPaired(Conflict):
    message = "You are not paired."
