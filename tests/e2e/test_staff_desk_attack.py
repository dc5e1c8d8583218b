"""An outsider's probes of the staff desk's search (GET /internal/v1/accounts?q=) on the real
system: LIKE wildcards, the escape, quotes, SQL and regex text, NUL, overlong queries and
Unicode case folding answer only what they literally are, never too much and never a 5xx; and
a company name whose case folding is longer than the name itself ("ß" folds to "ss") opens,
is renamed by its admin and is found (it was a 500 on PostgreSQL: its search key overflowed
its column). Who may call the desk at all is the authorisation matrix's
(tests/e2e/test_authorization_matrix.py)."""
import uuid

import pytest

from tests.support.api_client import overview
from tests.support.auth_helpers import ACCOUNT, bearer, new_user


def search(system, q, **params):
    return system.staff().get(system.url("/internal/v1/accounts"), params={"q": q, **params},
                              timeout=20)


def names(response):
    assert response.status_code == 200, response.text[:300]
    return [item["company_name"] for item in response.json()["items"]]


def open_named(system, name):
    response = system.staff().post(system.url("/internal/v1/accounts"), timeout=20, json={
        **ACCOUNT, "company_name": name, "email": f"{uuid.uuid4().hex[:8]}@desk.example"})
    assert response.status_code == 201, response.text[:300]
    return response.json()["account_number"]


@pytest.fixture(scope="module")
def tag():
    """A prefix no other test's company name has, and the accounts opened under it."""
    return f"Zq{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def hostile_names(system, tag):
    listed = [f"{tag} 100% Juice", f"{tag} A_B", f"{tag} back\\slash", f"{tag} O'Brien",
              f'{tag} "quoted"', f"{tag} Straße", f"{tag} İstanbul", f"{tag} Kızılay"]
    for name in listed:
        open_named(system, name)
    return listed


@pytest.mark.parametrize("suffix, expected", [
    ("%", []), ("_", []), ("\\", []), ("' OR 1=1 --", []), ("' OR '1'='1", []),
    ('"', ['"quoted"']), ("%%", []), ("\\%", []), ("(?i).*", []), (".*", []), ("[a-z]", []),
    ("*", []), ("100%", ["100% Juice"]), ("a_", ["A_B"]), ("back\\", ["back\\slash"]),
    ("o'", ["O'Brien"]), ('"quo', ['"quoted"']), ("STRASSE", ["Straße"]),
    ("straße", ["Straße"]), ("İSTANBUL", ["İstanbul"]), ("KIZILAY", []), ("kızılay", ["Kızılay"]),
])
def test_a_hostile_query_answers_only_what_it_literally_is(system, tag, hostile_names, suffix,
                                                           expected):
    found = names(search(system, f"{tag} {suffix}", limit=100))
    assert found == [f"{tag} {name}" for name in expected]


@pytest.mark.parametrize("q", ["%", "_", "\\", "'", '"', "%%%", "' OR 1=1 --", "ﬃ" * 100,
                               "ΐ" * 100, "𝔄", "İ", "ı", "ß" * 100])
def test_a_query_of_wildcards_or_expanding_letters_alone_matches_nothing_wider(system, q):
    response = search(system, q, limit=100)
    folded = q.casefold()
    for item in response.json()["items"] if response.status_code == 200 else []:
        assert item["company_name"].casefold().startswith(folded[:120]), (q, item)
    assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("q, status", [("a\x00b", 400), ("x" * 101, 400), ("\u202e", 400),
                                       ("\u3000", 400), ("x" * 10_000, 414)])
def test_a_query_that_cannot_be_a_search_is_refused_before_any_sql(system, q, status):
    response = search(system, q)
    assert response.status_code == status, response.text[:300]
    if status == 400:  # (414 is gunicorn's, before the gateway: a request line over 8190)
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert "q" in response.json()["errors"]


def test_a_name_folding_longer_than_its_column_opens_is_renamed_and_is_found(system, tag):
    long_name = f"{tag} " + "ß" * 110  # 119 characters; case-folded, 229
    first = open_named(system, long_name)
    second = open_named(system, long_name[:-1] + "ẞ")  # capital sharp s: folds the same
    assert names(search(system, f"{tag.upper()} SSSS")) == [long_name, long_name[:-1] + "ẞ"]
    assert len(names(search(system, long_name[:100]))) == 2  # the whole query, folded: 191

    seen, cursor = [], None  # a page's cursor holds the (cut) key: paging goes on
    while True:
        page = search(system, f"{tag} ß", limit=1, **({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text[:300]
        seen += [i["account_number"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [first, second]

    owner = new_user(system)  # an admin renames their company the same way
    admin = bearer(system, owner["username"])
    number = owner["account_number"]
    renamed = admin.patch(system.url(f"/api/v1/accounts/{number}/profile"), timeout=20,
                          json={"company_name": f"{tag} " + "ﬃ" * 100})
    assert renamed.status_code == 200, renamed.text[:300]
    assert [i["account_number"] for i in search(system, f"{tag} FFIFFI").json()["items"]] == [
        number]
    assert overview(system, number)["profile"]["company_name"] == f"{tag} " + "ﬃ" * 100

