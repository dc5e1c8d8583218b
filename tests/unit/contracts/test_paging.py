"""contracts/paging.py: a cursor reads back as its list wrote it, anything else (another list's,
tampered, random bytes, values no database column holds) is InvalidInput with one text, and
a limit is a whole number from 1 to the list's most, never clamped."""
import base64
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from services.contracts import paging
from services.contracts.errors import InvalidInput

SESSIONS = paging.Cursor("sessions", paging.MOMENT, paging.text(36))
STATEMENTS = paging.Cursor("statements", paging.DAY)
ACCOUNTS = paging.Cursor("accounts", paging.text(120), paging.ROW, chars=700)
SERVICES = paging.Cursor("dead_letters", paging.MOMENT, paging.one_of(("billing", "identity")),
                         paging.ROW)


def forged(*values):
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def refused(cursor_type, cursor):
    with pytest.raises(InvalidInput) as raised:
        cursor_type.decode(cursor)
    assert raised.value.errors == {"cursor": [paging.BAD_CURSOR]}


moments = st.datetimes(min_value=datetime(1, 1, 3), max_value=datetime(9999, 12, 30),
                       timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-11)),
                                                  timezone(timedelta(hours=14))]))
texts = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=36)


@given(moment=moments, key=texts)
def test_a_cursor_reads_back_as_its_list_wrote_it(moment, key):
    at, text = SESSIONS.decode(SESSIONS.encode(moment, key))
    assert (at, text) == (moment, key) and at.tzinfo is not None
    assert len(SESSIONS.encode(moment, "x" * 36)) <= paging.CURSOR_CHARS


@given(day=st.dates(), row=st.integers(0, paging.ROW_IDS - 1),
       key=st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=120))
def test_days_rows_and_long_keys_read_back(day, row, key):
    assert STATEMENTS.decode(STATEMENTS.encode(day)) == (day,)
    assert ACCOUNTS.decode(ACCOUNTS.encode(key, row)) == (key, row)


def test_a_naive_time_is_written_as_utc():
    (at,) = paging.Cursor("t", paging.MOMENT).decode(
        paging.Cursor("t", paging.MOMENT).encode(datetime(2026, 11, 1, 12, 0)))
    assert at == datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


@settings(max_examples=300)
@given(raw=st.binary(max_size=160))
def test_random_bytes_are_never_anything_but_invalid_input(raw):
    for cursor in (base64.urlsafe_b64encode(raw).decode(), raw.decode("latin-1")):
        for cursor_type in (SESSIONS, STATEMENTS, ACCOUNTS, SERVICES):
            try:
                cursor_type.decode(cursor)
            except InvalidInput as exc:
                assert exc.errors == {"cursor": [paging.BAD_CURSOR]}


@settings(max_examples=300)
@given(values=st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                 st.text(max_size=40)), max_size=4))
def test_tampered_json_is_never_anything_but_invalid_input(values):
    for kind in ("sessions", "statements", "accounts", "dead_letters"):
        cursor = forged(kind, *values)
        for cursor_type in (SESSIONS, STATEMENTS, ACCOUNTS, SERVICES):
            try:
                cursor_type.decode(cursor)
            except InvalidInput as exc:
                assert exc.errors == {"cursor": [paging.BAD_CURSOR]}


def test_a_cursor_of_one_list_is_refused_by_another():
    sessions = SESSIONS.encode(datetime(2026, 11, 1, tzinfo=timezone.utc), "abc")
    refused(paging.Cursor("invitations", paging.MOMENT, paging.text(36)), sessions)
    refused(STATEMENTS, STATEMENTS.encode(date(2026, 11, 1))[:-2])


@pytest.mark.parametrize("values", [
    ("sessions", "0001-01-01T00:00:00+05:00", "a"),   # before year 1 once in UTC
    ("sessions", "9999-12-31T23:00:00-05:00", "a"),   # after 9999 once in UTC
    ("sessions", "2026-11-31T00:00:00", "a"),          # no such day
    ("sessions", "2026-11-01T00:00:00", "a\u0000b"),   # a NUL PostgreSQL cannot hold
    ("sessions", "2026-11-01T00:00:00", "\ud800"),     # a lone surrogate
    ("sessions", "2026-11-01T00:00:00", "x" * 37),     # longer than the column
    ("sessions", "2026-11-01T00:00:00"),               # a part missing
    ("sessions", "2026-11-01T00:00:00", "a", "b"),     # one too many
    ("sessions", 20261101, "a"),
    ("accounts", "x", 2 ** 31 - 1),                    # more than an INTEGER column holds
    ("accounts", "x", -1), ("accounts", "x", True), ("accounts", "x", 1.5),
    ("dead_letters", "2026-11-01T00:00:00+00:00", "payments", 1),  # not one of those named
])
def test_values_no_list_wrote_are_refused(values):
    cursor_type = {"sessions": SESSIONS, "accounts": ACCOUNTS, "dead_letters": SERVICES}[values[0]]
    refused(cursor_type, forged(*values))


@pytest.mark.parametrize("cursor", ["", "x" * 201, None, 7, ["a"], "!!!!", "é", "bnVsbA"])
def test_what_is_not_a_cursor_at_all_is_refused(cursor):
    refused(SESSIONS, cursor)


@pytest.mark.parametrize("limit, expected", [(None, 20), (1, 1), (100, 100)])
def test_a_limit_is_taken_as_it_is(limit, expected):
    assert paging.checked_limit(limit) == expected


@pytest.mark.parametrize("limit", [0, -1, 101, 10 ** 30, True, "20", 2.0])
def test_a_bad_limit_is_refused_not_clamped(limit):
    with pytest.raises(InvalidInput) as raised:
        paging.checked_limit(limit)
    assert raised.value.errors == {"limit": ["A number from 1 to 100."]}


def test_a_list_answered_whole_has_its_own_most():
    assert paging.checked_limit(None, default=200, maximum=1000) == 200
    assert paging.checked_limit(1000, default=200, maximum=1000) == 1000
    with pytest.raises(InvalidInput) as raised:
        paging.checked_limit(1001, default=200, maximum=1000)
    assert raised.value.errors == {"limit": ["A number from 1 to 1000."]}


def test_the_gateway_query_gives_the_same_texts():
    from marshmallow import ValidationError
    with pytest.raises(ValidationError) as raised:
        paging.ListQuery().load({"limit": "0", "cursor": "x" * 201})
    assert raised.value.messages == {"limit": [paging.limit_text()],
                                     "cursor": [paging.BAD_CURSOR]}
    assert paging.ListQuery().load({}) == {"limit": 20, "cursor": None}
