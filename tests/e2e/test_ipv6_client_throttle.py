"""An IPv6 client is one /64, not 2**64 clients (outside probe of issue 11, point 8/9): every
per-address allowance and the sign-in address key count an IPv6 client by its /64 network,
so picking a fresh address inside it (as privacy addresses do, or an attacker at will) does
not buy a fresh allowance; another spelling of one address, or its IPv4-mapped form, is
that address. The address reaches identity the way it does behind the Ingress: the trusted
proxy (loopback, 127.0.0.1) appends it to X-Forwarded-For. Each test has a /64 of its own
in the documentation prefix, so nothing else in the suite shares its allowance."""
import random
import uuid

import requests

from services.identity import throttle


def own_network():
    """A random 2001:db8:xxxx:xxxx::/64 prefix (as 'a:b'), this test's client."""
    return f"2001:db8:{random.randint(1, 0xffff):x}:{random.randint(1, 0xffff):x}"


def forgot_password(system, client_address):
    return requests.post(system.url("/api/v1/auth/forgot-password"),
                         json={"username": f"nobody.{uuid.uuid4().hex[:10]}"},
                         headers={"X-Forwarded-For": client_address}, timeout=10)


def test_fresh_ipv6_addresses_in_one_64_share_the_address_allowance(system):
    net = own_network()
    limit = throttle.QUOTAS["reset_ip"]
    answers = [forgot_password(system, f"{net}::{i + 1:x}").status_code
               for i in range(limit + 3)]
    assert answers == [202] * limit + [429] * 3, answers


def test_spellings_of_one_ipv6_address_are_one_client(system):
    net = own_network()
    a, b = net.split(":")[2:4]
    spellings = [f"{net}::1", f"2001:DB8:{a.upper()}:{b.upper()}:0:0:0:1",
                 f"2001:0db8:{int(a, 16):04x}:{int(b, 16):04x}::0001"]
    limit = throttle.QUOTAS["reminder_ip"]
    url = system.url("/api/v1/auth/forgot-username")
    answers = [requests.post(url, json={"email": f"nobody-{uuid.uuid4().hex[:8]}@harbor.example"},
                             headers={"X-Forwarded-For": spellings[i % 3]},
                             timeout=10).status_code
               for i in range(limit + 2)]
    assert answers == [202] * limit + [429] * 2, answers


def test_a_password_spray_from_rotating_ipv6_addresses_is_slowed_like_one_address(system):
    """The sign-in address key (50 free failures, then back-off) holds for the /64: a spray
    of guesses at many usernames, each from a fresh address, is refused once it is spent."""
    net = own_network()
    url = system.url("/api/v1/auth/login")
    answers = [requests.post(url, json={"username": f"nobody.{uuid.uuid4().hex[:10]}",
                                        "password": "Winter-2026-guess"},
                             headers={"X-Forwarded-For": f"{net}::{i + 1:x}"},
                             timeout=10).status_code
               for i in range(throttle.FREE["ip"] + 2)]
    assert answers[:throttle.FREE["ip"]] == [401] * throttle.FREE["ip"], answers
    assert answers[-1] == 429, answers
