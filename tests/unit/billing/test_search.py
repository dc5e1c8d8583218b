"""billing/search.py's pure parts: what a query is read as, LIKE escaping, the cursor."""
import pytest
from sqlalchemy.dialects import postgresql

from services.billing import search
from services.billing.models import EMAIL_KEY_CHARS, NAME_KEY_CHARS, Account, search_key
from services.contracts import desk
from services.contracts.errors import InvalidInput


def kinds(q):
    compiled = [str(c.compile(dialect=postgresql.dialect())) for c in search.conditions(q)]
    return [next(name for name in ("company_name_key", "account_number", "invoice_number",
                                   "email_key", "phone") if name in sql) for sql in compiled]


@pytest.mark.parametrize("q, expected", [
    ("harbor", ["company_name_key"]),
    ("4000 0000 0000 0002", ["company_name_key", "account_number", "invoice_number"]),
    ("26110110000001", ["company_name_key", "invoice_number"]),  # 14 digits: no phone
    ("ops@harbor.example", ["company_name_key", "email_key"]),
    ("(312) 555-0101", ["company_name_key", "phone"]),
    ("1-800-FLOWERS", ["company_name_key"]),  # letters are a name, not keypad digits
    ("12", ["company_name_key", "invoice_number"]),
])
def test_a_query_is_read_as_each_kind_it_could_be(q, expected):
    assert kinds(q) == expected


@pytest.mark.parametrize("text, pattern", [
    ("100%", "100\\%%"), ("a_b", "a\\_b%"), ("back\\slash", "back\\\\slash%"),
    ("o'brien", "o'brien%"),
])
def test_wildcards_and_the_escape_are_escaped(text, pattern):
    assert search.like_prefix(text) == pattern


def test_a_cursor_reads_back_and_a_forged_one_is_refused():
    assert search.CURSOR.decode(search.CURSOR.encode("ünited widgets", 42)) == (
        "ünited widgets", 42)
    for forged in ("", "!!", search.CURSOR.encode("x", 1)[:-2], "WzEsMl0", "bnVsbA"):
        with pytest.raises(InvalidInput):
            search.CURSOR.decode(forged)


def test_the_longest_company_name_key_still_makes_a_cursor_the_staff_api_takes():
    cursor = search.CURSOR.encode("\U0001d49c" * NAME_KEY_CHARS, 2 ** 31 - 2)
    assert len(cursor) <= desk.SEARCH_CURSOR_CHARS
    assert search.CURSOR.decode(cursor)[1] == 2 ** 31 - 2


@pytest.mark.parametrize("q", ["", " ", "x" * 101, "a\tb", "a\u200bb", 7, None])
def test_a_bad_query_is_refused_before_any_sql(q):
    with pytest.raises(InvalidInput) as raised:
        search.check_query(q, 20)
    assert list(raised.value.errors) == ["q"]


@pytest.mark.parametrize("letter", ["ß", "ẞ", "ﬃ", "ΐ", "ŉ"])
def test_a_name_folding_longer_than_its_column_keeps_a_key_that_fits_and_finds_it(letter):
    name = letter * 120  # the longest company name; folded, two or three times as long
    account = Account(company_name=name, email=f"{letter * 20}@x.example")
    assert len(account.company_name_key) == NAME_KEY_CHARS
    assert account.company_name_key == name.casefold()[:NAME_KEY_CHARS]
    assert len(account.email_key) <= EMAIL_KEY_CHARS
    # the longest query folds as long and is cut alike: its prefix still finds the name
    query = search_key(letter * search.MAX_QUERY)
    assert len(query) <= NAME_KEY_CHARS and account.company_name_key.startswith(query)
    assert search_key("Straße") == search_key("STRASSE") == "strasse"
