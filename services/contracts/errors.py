"""Domain errors that cross the RPC boundary.

Services raise these (and list them in ``expected_exceptions``); the gateway turns each into a
problem document with the status in its one mapping table (gateway/problems.py). Every
constructor argument must be JSON-safe: nameko serialises ``exc.args`` into the reply.
"""


class DomainError(Exception):
    """Base of every error a service means to return to its caller."""

    def __init__(self, detail, extra=None):
        super().__init__(detail, extra or {})
        self.detail = detail
        self.extra = extra or {}


class InvalidInput(DomainError):
    """The request is malformed; ``errors`` maps each field to its messages."""

    def __init__(self, errors, detail="The request has invalid fields."):
        super(DomainError, self).__init__(errors, detail)
        self.errors = errors
        self.detail = detail
        self.extra = {}


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know that it does)."""


class Conflict(DomainError):
    """The request clashes with the current state (taken username, last admin...)."""


class Refused(DomainError):
    """A well-formed request that the domain refuses (wrong key, decline...)."""


class NotAllowed(DomainError):
    """The caller is known but may not do this."""


class Unauthenticated(DomainError):
    """Credentials missing or wrong."""


class Throttled(DomainError):
    """Too many attempts; ``retry_after`` seconds to wait."""

    def __init__(self, detail, retry_after=60):
        super(DomainError, self).__init__(detail, retry_after)
        self.detail = detail
        self.retry_after = retry_after
        self.extra = {}


class Unavailable(DomainError):
    """Another service this one needed did not answer in time; try again shortly."""


ALL = (DomainError, InvalidInput, NotFound, Conflict, Refused, NotAllowed, Unauthenticated,
       Throttled, Unavailable)
