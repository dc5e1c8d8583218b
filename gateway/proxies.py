"""Who the client is when the gateway sits behind a proxy: the one place that reads
X-Forwarded-For and X-Forwarded-Proto.

A proxy (the Kubernetes Ingress, a load balancer) connects to gunicorn itself, so the TCP
peer is the proxy and the client's address arrives in X-Forwarded-For. Anyone can send that
header, though, and identity throttles sign-ins, recognises devices and writes the audit
trail by address: believed from anyone, it would let an attacker pick a fresh address per
guess. So the headers count only when the direct peer is in FORWARDED_ALLOW_IPS
(addresses or networks, comma separated, "*" for any; default loopback, as gunicorn's), and
then only the last hop, the one that proxy appended (werkzeug's ProxyFix, x_for=1,
x_proto=1). From any other peer they are removed before the app sees them.

gunicorn reads the same variable for its own scheme headers; gateway/gunicorn.conf.py turns
that off (secure_scheme_headers = {}) so that this rule holds once, here.
"""
import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


def parse_allowed(text):
    """FORWARDED_ALLOW_IPS -> a list of networks, or None for "*" (every peer)."""
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    if "*" in items:
        return None
    return [ipaddress.ip_network(item, strict=False) for item in items]


def _address(text):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


class TrustedProxies:
    """WSGI middleware: ProxyFix for trusted peers, the forwarded headers dropped for others."""

    def __init__(self, app, allowed):
        self.app = app
        self.allowed = parse_allowed(allowed)
        self.fixed = ProxyFix(self._keep_a_real_address, x_for=1, x_proto=1)

    def trusts(self, peer):
        if self.allowed is None:
            return True
        address = _address(peer)
        return address is not None and any(address in network for network in self.allowed)

    def __call__(self, environ, start_response):
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for name in FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)

    def _keep_a_real_address(self, environ, start_response):
        # a proxy passes on whatever it was sent before its own hop, but the last hop is its
        # own; anything that is not an address there keeps the peer's
        if _address(environ.get("REMOTE_ADDR")) is None:
            environ["REMOTE_ADDR"] = environ["werkzeug.proxy_fix.orig"]["REMOTE_ADDR"]
        return self.app(environ, start_response)
