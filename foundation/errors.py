"""The domain errors that services raise: what went wrong, in the product's words, with no HTTP in
it. One handler at the edge (config/exceptions.py) turns each kind into the status code and body
clients see: Invalid is a 400 naming the fields, NotFound a 404, Conflict a 409, TooMany a 429 with
Retry-After.

Each app adds its own kinds of these beside its services (couples/errors.py, checkin/errors.py,
signals/errors.py).
"""


class DomainError(Exception):
    """A request the current state or the input refuses; `message` is shown to the person."""

    message = "This cannot be done."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class Invalid(DomainError):
    """Input that only a service can judge (a weak password, a code that does not work), with
    the messages for each field, as a serializer names them."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))


class NotFound(DomainError):
    """Nothing of the caller's by that id (another couple's looks exactly the same)."""

    message = "Not found."


class Conflict(DomainError):
    """Well formed, but the current state forbids it (already paired, a round already open)."""

    message = "This conflicts with the current state."


class TooMany(DomainError):
    """A limit on how often a person may do something; `retry_after` is in whole seconds."""

    message = "That is enough for now; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)
