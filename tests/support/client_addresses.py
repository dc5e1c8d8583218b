"""HTTP clients that connect from an address of their own on the loopback network
(127.x.y.z: the gateway listens on all of them), so what a test spends of an address's
allowance (failed sign-ups, links) is never what the rest of the suite uses (127.0.0.1)."""
import random

import requests
from requests.adapters import HTTPAdapter


class _FromAddress(HTTPAdapter):
    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address=None):
    """A requests session whose connections come from ``address`` (a random 127.x.y.z)."""
    address = address or f"127.{random.randint(1, 254)}.{random.randint(1, 254)}." \
                         f"{random.randint(2, 254)}"
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    session.address = address
    return session
