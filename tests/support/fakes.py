"""A fake RPC client for gateway tests that need no broker: answers from a table."""
from gateway.rpc import ServiceUnavailable


class _AnyUser(str):
    """Equal to every user id: the default session answer suits whatever token a test signs."""
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


# The gateway asks identity once per session whether a token's session is open
# (gateway/auth/sessions.py); tests that sign their own tokens get a yes unless they say otherwise.
DEFAULTS = {("identity", "get_session"): {"active": True, "user_id": _AnyUser("any"),
                                          "username": "any"}}


class FakeRpc:
    def __init__(self, answers=None, down=()):
        self.answers = {**DEFAULTS, **(answers or {})}
        self.down = set(down)
        self.calls = []
        self.observers = []

    def call(self, service, method, *args, timeout=None, request_id=None, **kwargs):
        self.calls.append((service, method, args, kwargs, request_id))
        if service in self.down:
            raise ServiceUnavailable(service)
        answer = self.answers[(service, method)]
        if isinstance(answer, Exception):
            raise answer
        return answer(*args, **kwargs) if callable(answer) else answer
