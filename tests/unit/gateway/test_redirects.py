"""gateway/redirects.py: the portal's ``next`` after sign-in is a path on this site whatever
characters it holds. Pure function."""
import pytest

from gateway.redirects import local_path

HOSTILE = ["//evil.example/", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
           "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "https://evil.example/",
           "HTTPS://evil.example", "javascript:alert(1)", "/%2F%2Fevil.example",
           "/%2f/evil.example", "/%5Cevil.example", "%2F%2Fevil.example", "\x00//evil.example",
           "/\u3002/evil.example", "///evil.example", "/.//evil.example/..", "/../x",
           "http:/evil.example", "/\r\nSet-Cookie: x=1", "data:text/html,hi", "evil.example",
           "/%0d%0aSet-Cookie:x", "/%252F%252Fevil.example", "/a b", "", None, 42,
           "/" + "a" * 5000, "/\u202e/moc.live"]


@pytest.mark.parametrize("target", HOSTILE)
def test_anything_but_a_plain_local_path_goes_to_the_default(target):
    assert local_path(target, "/dashboard") == "/dashboard"


@pytest.mark.parametrize("target", ["/billing", "/billing?tab=calls", "/billing/INV-2026-10-1",
                                    "/pay?amount=12.50&x=%C3%A9", "/messages#latest", "/"])
def test_a_plain_local_path_is_kept(target):
    assert local_path(target, "/dashboard") == target
