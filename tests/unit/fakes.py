"""A fake RPC client for gateway tests that need no broker: answers from a table."""
from gateway.rpc import ServiceUnavailable


class FakeRpc:
    def __init__(self, answers=None, down=()):
        self.answers = answers or {}
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
