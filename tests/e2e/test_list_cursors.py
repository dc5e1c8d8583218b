"""Every list takes only its own cursors (contracts/paging.py): a cursor one list gave out,
sent to any other, and a tampered or made-up one (times no zone can hold, a number no INTEGER
column holds, a NUL, a cut-off cursor) sent to each, is a 400 problem document naming
``cursor`` with one text, never a 500; a bad ``limit`` is a 400 too, never clamped. The real
services and gunicorn gateway over HTTP."""
import base64
import json

import pytest

from services.billing import search
from services.billing.models import NAME_KEY_CHARS
from services.contracts import paging
from tests.support.auth_helpers import bearer, login, new_user

AT = "2026-11-01T00:00:00+00:00"
EARLY = "0001-01-01T00:00:00+05:00"  # before year 1 once in UTC
LATE = "9999-12-31T23:00:00-05:00"  # after 9999 once in UTC
# path -> the kind its cursors carry, a key it could have written, and tampered keys
LISTS = {
    "/api/v1/me/sessions": ("sessions", [AT, "x"], [[EARLY, "x"], [AT, "a\u0000b"]]),
    "/api/v1/me/notifications": ("notifications", [AT, "x"], [[LATE, "x"], [AT, "x" * 37]]),
    "/api/v1/accounts/{n}/statements": ("statements", ["2026-11-01"],
                                        [["2026-02-30"], ["0000-01-01"], [AT]]),
    "/api/v1/accounts/{n}/payments": ("payments", [AT, "x"], [[EARLY, "x"], ["2026", "x"]]),
    "/api/v1/accounts/{n}/invitations": ("invitations", [AT, "x"], [[EARLY, "x"], [LATE, "x"]]),
    "/api/v1/accounts/{n}/audit": ("audit", [AT, "x"], [[EARLY, "x"], [LATE, "x"], [AT, 1]]),
    "/internal/v1/accounts?q=harbor": ("accounts", ["harbor", 1],
                                       [["harbor", 2 ** 31], ["harbor", -1], ["a\u0000", 1]]),
    "/internal/v1/dead-letters": ("dead_letters", [AT, "billing", 1],
                                  [[EARLY, "billing", 1], [AT, "billing", 2 ** 31],
                                   [AT, "nobody", 1]]),
}


def forged(*values):
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def admin(system):
    """An account admin signed in twice (so their sessions list has a second page)."""
    user = new_user(system)
    assert login(system, user["username"]).status_code == 200
    return {"api": bearer(system, user["username"]), "number": user["account_number"]}


def get(system, admin, path, **params):
    path = path.format(n=admin["number"])
    session = system.staff() if path.startswith("/internal/") else admin["api"]
    return session.get(system.url(path), params=params, timeout=10)


def assert_cursor_refused(response, where):
    assert response.status_code == 400, (where, response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/problem+json"), where
    assert response.json()["errors"] == {"cursor": [paging.BAD_CURSOR]}, where


def test_a_cursor_from_one_list_is_refused_by_every_other(system, admin):
    first = get(system, admin, "/api/v1/me/sessions", limit=1)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor
    assert get(system, admin, "/api/v1/me/sessions", limit=1, cursor=cursor).status_code == 200
    for path in LISTS:
        if path != "/api/v1/me/sessions":
            assert_cursor_refused(get(system, admin, path, cursor=cursor), path)
    assert_cursor_refused(get(system, admin, "/api/v1/me/sessions", cursor=cursor[:-3]), "cut")


@pytest.mark.parametrize("path", list(LISTS))
def test_a_tampered_or_made_up_cursor_is_a_400_on_each_list(system, admin, path):
    kind, key, tampered = LISTS[path]
    for bad in tampered + [key + ["one too many"], key[:-1]]:
        assert_cursor_refused(get(system, admin, path, cursor=forged(kind, *bad)), (path, bad))
    for cursor in ("not a cursor", "x" * 701, forged("another_list", *key)):
        assert_cursor_refused(get(system, admin, path, cursor=cursor), (path, cursor))
    nul = get(system, admin, path, cursor="\u0000")  # refused first by gateway/text_guard.py
    assert nul.status_code == 400 and "cursor" in nul.json()["errors"]
    # a key the list could have written is only a place to start reading
    assert get(system, admin, path, cursor=forged(kind, *key)).status_code == 200


@pytest.mark.parametrize("path", list(LISTS))
def test_a_bad_limit_is_a_400_on_each_list(system, admin, path):
    for limit in ("0", "101", "-1", "ten", "99999999999999999999"):
        response = get(system, admin, path, limit=limit)
        assert response.status_code == 400, (path, limit, response.status_code)
        assert "limit" in response.json()["errors"], (path, limit)


def test_the_staff_desk_takes_a_cursor_as_long_as_its_longest_company_name_makes(system):
    response = system.staff().get(system.url("/internal/v1/accounts"), timeout=10, params={
        "q": "harbor", "cursor": search.CURSOR.encode("\U0001d49c" * NAME_KEY_CHARS, 1)})
    assert response.status_code == 200, response.text
