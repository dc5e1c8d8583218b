"""Collecting the secrets the tests send and receive, for the secret scan, without touching
each test: ``install()`` wraps ``requests.Session.send`` (every ``requests`` call goes through
it) to record the secret fields of JSON and form bodies, query strings and bearer tokens of
each request and of JSON responses; ``watch_page(page)`` does the same for a Playwright page's
requests (what a browser test types into a form). Everything lands in ``KNOWN``, one
KnownSecrets for the test session."""
import json
from urllib.parse import parse_qsl, urlsplit

import requests

from tests.support.secret_scan import KnownSecrets

KNOWN = KnownSecrets()
_original_send = None


def record_body(body, content_type, known=KNOWN):
    if not body:
        return
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    content_type = (content_type or "").lower()
    if "json" in content_type or body.lstrip().startswith(("{", "[")):
        try:
            known.add_from_json(json.loads(body))
        except ValueError:
            pass
    elif "x-www-form-urlencoded" in content_type or "=" in body:
        known.add_from_json(dict(parse_qsl(body, keep_blank_values=False)))


def record_request(url, body, headers, known=KNOWN):
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if headers.get("user-agent", "").startswith("schemathesis/"):
        # generated values are nobody's secret, and a fuzzer puts one string in several
        # fields: the one in "name" is rightly kept. (Its responses are recorded: a generated
        # sign-in that worked returns real tokens.)
        return
    known.add_from_json(dict(parse_qsl(urlsplit(url).query)))
    record_body(body, headers.get("content-type"), known)
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        known.add("access token", authorization[7:].strip())


def _send(session, request, **kwargs):
    try:
        record_request(request.url, request.body, request.headers)
    except Exception:  # collecting must never break a test
        pass
    response = _original_send(session, request, **kwargs)
    try:
        if "json" in response.headers.get("Content-Type", "") and not kwargs.get("stream"):
            KNOWN.add_from_json(response.json())
    except Exception:
        pass
    return response


def install():
    """Wraps requests.Session.send once per process; returns KNOWN."""
    global _original_send
    if _original_send is None:
        _original_send = requests.Session.send
        requests.Session.send = _send
    return KNOWN


def watch_page(page, known=KNOWN):
    """Records what a Playwright page sends (form posts, query strings, fetch bodies)."""
    def on_request(request):
        try:
            record_request(request.url, request.post_data, request.headers, known)
        except Exception:
            pass
    page.on("request", on_request)
