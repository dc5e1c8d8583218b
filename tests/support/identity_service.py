"""Fakes for identity's service tests: billing's key check from a table, notifications'
mail RPC recorded (so tests can read the reset link a user would get by mail)."""
from nameko.extensions import DependencyProvider

from services.identity.service import IdentityService

ACCOUNT, KEY = "4929000000000006", "ABCD2345"
OTHER_ACCOUNT = "4111111111111111"
PASSWORD = "violet staple orbit 42"
SENT = []  # (method, kwargs) of every notifications call, newest last


def from_ip(ip, user_agent=None):
    """services.contracts.actor's shape for a caller nobody has signed in yet."""
    return {"ip": ip, "user_agent": user_agent}


def signup_request(**changes):
    request = {"account_number": ACCOUNT, "security_key": KEY, "username": "sam.lee",
               "password": PASSWORD, "email": "Sam@Bluebird.example", "first_name": "Sam",
               "last_name": "Lee"}
    request.update(changes)
    return request


class _Billing:
    def verify_account_key(self, account_number, key):
        return (account_number, key) in {(ACCOUNT, KEY), (OTHER_ACCOUNT, KEY)}


class _Method:
    def __init__(self, name):
        self.name = name

    def __call__(self, **kwargs):
        SENT.append((self.name, kwargs))

    def call_async(self, **kwargs):
        SENT.append((self.name, kwargs))


class _Notifications:
    def __getattr__(self, name):
        return _Method(name)


class _Fixed(DependencyProvider):
    def __init__(self, client):
        self.client = client

    def get_dependency(self, worker_ctx):
        return self.client


class _Now:
    """Background work done at once, so a test reads its mail right after the call."""
    def spawn(self, fn, *args, **kwargs):
        fn(*args, **kwargs)


class IdentityUnderTest(IdentityService):
    billing_rpc = _Fixed(_Billing())
    notifications_rpc = _Fixed(_Notifications())
    background = _Fixed(_Now())
