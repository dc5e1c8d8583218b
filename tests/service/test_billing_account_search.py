"""billing: the staff desk's account search and overview, in a nameko container (SQLite and
PostgreSQL, as every service test)."""
import pytest
from sqlalchemy import text

from services.billing.service import BillingService
from services.contracts.errors import InvalidInput, NotFound
from tests.support.billing_accounts import OPEN, calls
from tests.support.containers import hook, rows

COMPANIES = [  # name, email, phone as typed
    ("Harbor Freight Co", "Ops@Harbor.example", "(312) 555-0101"),
    ("harbour bakery", "cakes@harbour.example", "312-555-0102"),
    ("HARBORVIEW Dental", "desk@harborview.example", "+1 312 555 0103"),
    ("100% Juice Bar", "hello@juice.example", "312.555.0104"),
    ("1000 Islands Travel", "trips@islands.example", "3125550105"),
    ("A_B Consulting", "ab@consult.example", "312 555 0106"),
    ("AXB Consulting", "axb@consult.example", "312 555 0107"),
    ("O'Brien & Sons", "pat@obrien.example", "312 555 0108"),
    ("Ünited Widgets", "sales@united.example", "312 555 0109"),
]


@pytest.fixture
def desk(start_service):
    container = start_service(BillingService)
    opened = {}
    for name, email, phone in COMPANIES:
        opened[name] = hook(container, "open_account",
                            dict(OPEN, company_name=name, email=email, phone=phone))
    return container, opened


def numbers(found):
    return [item["account_number"] for item in found["items"]]


def names(container, q, limit=20, cursor=None):
    found = hook(container, "search_accounts", q, limit, cursor)
    return [item["company_name"] for item in found["items"]]


def test_a_company_name_is_found_by_its_start_whatever_the_case(desk):
    container, _ = desk
    assert names(container, "harbor") == ["Harbor Freight Co", "HARBORVIEW Dental"]
    assert names(container, "HARBO") == ["Harbor Freight Co", "HARBORVIEW Dental",
                                         "harbour bakery"]  # ordered as case-folded
    assert names(container, "  harbor f ") == ["Harbor Freight Co"]
    assert names(container, "ünited") == ["Ünited Widgets"]  # not ASCII: folded alike
    assert names(container, "freight") == []  # a prefix, not a word anywhere in the name


def test_an_item_carries_what_the_desk_shows(desk):
    container, opened = desk
    [item] = hook(container, "search_accounts", "Harbor Freight", 20, None)["items"]
    assert item == {"account_number": opened["Harbor Freight Co"]["account_number"],
                    "company_name": "Harbor Freight Co", "email": "Ops@harbor.example",
                    "phone": "+13125550101", "status": "active", "balance_cents": 0}


def test_an_account_number_finds_its_account_with_or_without_spaces(desk):
    container, opened = desk
    number = opened["O'Brien & Sons"]["account_number"]
    assert numbers(hook(container, "search_accounts", number)) == [number]
    spaced = " ".join(number[i:i + 4] for i in range(0, 16, 4))
    assert numbers(hook(container, "search_accounts", spaced)) == [number]


def test_an_invoice_number_finds_the_account_it_was_issued_to(desk):
    container, opened = desk
    number = opened["AXB Consulting"]["account_number"]
    hook(container, "load_usage", number, {"calls": calls(2)})
    hook(container, "issue_statements", {"statement_date": "2026-11-01",
                                         "account_numbers": [number]})
    invoice = hook(container, "list_statements", number, 1)["items"][0]["invoice_number"]
    found = hook(container, "search_accounts", invoice)
    assert numbers(found) == [number]
    assert found["items"][0]["balance_cents"] > 0  # the ledger's balance, after the bill


def test_an_email_is_found_whole_whatever_the_case(desk):
    container, opened = desk
    assert numbers(hook(container, "search_accounts", "OPS@HARBOR.EXAMPLE")) == [
        opened["Harbor Freight Co"]["account_number"]]
    assert names(container, "ops@harbor") == []  # an email matches whole


@pytest.mark.parametrize("typed", ["(312) 555-0103", "312.555.0103", "+13125550103",
                                   "1 312 555 0103"])
def test_a_phone_is_found_in_any_common_notation(desk, typed):
    container, _ = desk
    assert names(container, typed) == ["HARBORVIEW Dental"]


def test_paging_walks_every_match_once_in_order(desk):
    container, _ = desk
    everyone, cursor, pages = [], None, 0
    while True:
        found = hook(container, "search_accounts", "h", 1, cursor)
        everyone += numbers(found)
        pages += 1
        cursor = found["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(set(everyone)) == 3
    assert names(container, "h", 3) == ["Harbor Freight Co", "HARBORVIEW Dental",
                                        "harbour bakery"]
    page = hook(container, "search_accounts", "h", 2, None)
    assert page["next_cursor"] is not None
    rest = hook(container, "search_accounts", "h", 2, page["next_cursor"])
    assert numbers(page) + numbers(rest) == everyone and rest["next_cursor"] is None


@pytest.mark.parametrize("q, expected", [
    ("100%", ["100% Juice Bar"]),           # % is a percent sign, not "anything"
    ("10_0", []),                            # _ is an underscore, not "any one character"
    ("a_b", ["A_B Consulting"]),
    ("%", []),                               # no name starts with %
    ("_", []),
    ("o'brien", ["O'Brien & Sons"]),         # quotes are text
    ("'; DROP TABLE accounts; --", []),
    ("\\", []),
])
def test_sql_wildcards_and_quotes_match_literally(desk, q, expected):
    container, _ = desk
    assert names(container, q) == expected
    assert rows(container, text("SELECT count(*) FROM accounts"))[0][0] == len(COMPANIES)


@pytest.mark.parametrize("q, limit, cursor, field", [
    ("x" * 101, 20, None, "q"),
    ("", 20, None, "q"),
    ("   ", 20, None, "q"),
    (None, 20, None, "q"),
    ("ab\u202ecd", 20, None, "q"),
    ("ab\ncd", 20, None, "q"),
    ("harbor", 0, None, "limit"),
    ("harbor", 101, None, "limit"),
    ("harbor", True, None, "limit"),
    ("harbor", 20, "not-a-cursor", "cursor"),
    ("harbor", 20, "WzEsMl0", "cursor"),  # base64 JSON of another shape: [1, 2]
])
def test_hostile_input_is_refused_naming_the_field(desk, q, limit, cursor, field):
    container, _ = desk
    with pytest.raises(InvalidInput) as raised:
        hook(container, "search_accounts", q, limit, cursor)
    assert list(raised.value.errors) == [field]


def test_a_query_of_100_characters_is_still_a_search(desk):
    container, _ = desk
    assert names(container, "h" * 100) == []


def test_the_overview_has_profile_status_services_balance_and_statements(desk):
    container, opened = desk
    number = opened["harbour bakery"]["account_number"]
    hook(container, "issue_statements", {"statement_date": "2026-11-01",
                                         "account_numbers": [number]})
    found = hook(container, "get_account_overview", number)
    assert found["account_number"] == number and found["status"] == "active"
    assert found["profile"]["company_name"] == "harbour bakery"
    assert found["profile"]["phone"] == "+13125550102"
    assert [(s["code"], s["quantity"]) for s in found["services"]] == [("INT-500", 1),
                                                                        ("VOICE-LINE", 3)]
    assert found["services"][0]["name"] == "Business Internet 500 Mbps"
    [statement] = found["statements"]
    assert found["balance_cents"] == statement["amount_due_cents"] > 0
    assert "security_key" not in repr(found)


def test_the_overview_of_an_unknown_account_is_not_found(desk):
    container, _ = desk
    with pytest.raises(NotFound):
        hook(container, "get_account_overview", "4111111111111111")


def test_a_renamed_company_is_found_by_its_new_name(desk):
    container, opened = desk
    number = opened["AXB Consulting"]["account_number"]
    hook(container, "update_profile", number, {"company_name": "Zephyr Labs",
                                               "email": "New@Zephyr.example"})
    assert names(container, "zeph") == ["Zephyr Labs"]
    assert names(container, "axb") == []
    assert names(container, "new@zephyr.example") == ["Zephyr Labs"]


def test_the_staff_cli_finds_accounts_as_the_desk_does(desk, monkeypatch, tmp_path, capsys):
    import json

    from services.billing import find_cli
    container, opened = desk
    monkeypatch.setenv("BILLING_DATABASE_URL", container.config["DATABASE_URL"])
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert find_cli.main(["harbo", "--limit", "1", "--all", "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [f["company_name"] for f in found] == ["Harbor Freight Co", "HARBORVIEW Dental",
                                                  "harbour bakery"]
    assert find_cli.main(["(312) 555-0108"]) == 0
    shown = capsys.readouterr()
    assert opened["O'Brien & Sons"]["account_number"] in shown.out and "1 account." in shown.err
    assert find_cli.main(["x" * 101]) == 2
    assert "q: At most 100 characters." in capsys.readouterr().err
