"""Why a bill changed (billing/change_reasons.py): the reasons add up exactly to the change
over many generated statement pairs (hypothesis), each reason is of a known kind and moves the
bill; and the worked examples read in plain language."""
from hypothesis import given, settings, strategies as st

from services.billing.change_reasons import explain, total
from services.contracts.insight import CHANGE_KINDS

PRODUCTS = [("internet", "Business Internet 500"), ("voice", "Business Voice line"),
            ("add-ons", "Static IP (1)"), ("tv", "Business TV")]
USAGE = ["Local calls (included)", "Long distance calls", "International calls"]
TAXES = ["Federal Universal Service Fee", "911 service fee", "State sales tax (NY)",
         "State sales tax (CA)"]
cents = st.integers(-50_000, 500_000)
SAID_AT_NO_COST = ("service_added", "service_removed", "quantity_changed")


def _line(group, section, description, quantity, amount):
    return {"group": group, "section": section, "description": description,
            "quantity": quantity, "amount_cents": amount}


@st.composite
def statements(draw):
    lines = []
    for section, name in draw(st.lists(st.sampled_from(PRODUCTS), max_size=4)):
        quantity = draw(st.integers(1, 30))
        lines.append(_line("recurring", section, name, quantity,
                           quantity * draw(st.integers(0, 20_000))))
    for section, name in draw(st.lists(st.sampled_from(PRODUCTS), max_size=3)):
        lines.append(_line("proration", section, f"{name}: Dec 17, 2026 to Dec 31, 2026",
                           draw(st.integers(1, 9)), draw(cents)))
    for name in draw(st.lists(st.sampled_from(USAGE), unique=True)):
        lines.append(_line("usage", "voice", name, draw(st.integers(0, 5000)),
                           draw(st.integers(0, 90_000))))
    for name in draw(st.lists(st.sampled_from(TAXES), unique=True)):
        lines.append(_line("tax", "taxes", name, 1, draw(cents)))
    adjustments = [{"kind": kind, "description": f"{kind} <b>&", "amount_cents": draw(cents)}
                   for kind in draw(st.lists(st.sampled_from(
                       ["credit", "late_fee", "adjustment", "return", "refund"]), max_size=4))]
    return {"invoice_number": str(draw(st.integers(1, 10 ** 9))), "lines": lines,
            "adjustments": adjustments}


@settings(max_examples=600, deadline=None)
@given(statements(), statements())
def test_the_reasons_add_up_exactly_to_the_change(before, after):
    answer = explain(before, after)
    assert answer["change_cents"] == total(after) - total(before)
    assert sum(r["change_cents"] for r in answer["reasons"]) == answer["change_cents"]
    for reason in answer["reasons"]:
        assert reason["kind"] in CHANGE_KINDS
        # a free product added, removed or changed in number is said; nothing else of $0
        assert reason["change_cents"] != 0 or reason["kind"] in SAID_AT_NO_COST
        sign = "-" if reason["change_cents"] < 0 else "+"
        assert reason["description"].endswith(f": {sign}${abs(reason['change_cents']) // 100:,}"
                                              f".{abs(reason['change_cents']) % 100:02d}")


@given(statements())
def test_the_first_statement_has_no_reasons(first):
    answer = explain(None, first)
    assert answer == {"previous_invoice_number": None, "previous_total_cents": None,
                      "total_cents": total(first), "change_cents": 0, "reasons": []}


def test_more_calls_and_lines_read_in_plain_language():
    before = {"invoice_number": "1", "adjustments": [], "lines": [
        _line("recurring", "voice", "Business Voice line", 3, 8997),
        _line("usage", "voice", "International calls", 2, 280),
        _line("tax", "taxes", "State sales tax (NY)", 1, 360)]}
    after = {"invoice_number": "2", "lines": [
        _line("recurring", "voice", "Business Voice line", 5, 14995),
        _line("recurring", "add-ons", "Static IP (1)", 1, 1499),
        _line("usage", "voice", "International calls", 5, 700),
        _line("usage", "voice", "Long distance calls", 1, 5),
        _line("tax", "taxes", "State sales tax (NY)", 1, 660)],
        "adjustments": [{"kind": "credit", "description": "Credit: Outage", "amount_cents": -2500},
                        {"kind": "late_fee", "description": "Late fee", "amount_cents": 1500},
                        {"kind": "return", "description": "Returned payment",
                         "amount_cents": 9000}]}
    answer = explain(before, after)
    assert [(r["kind"], r["description"]) for r in answer["reasons"]] == [
        ("quantity_changed", "Business Voice line: 2 more (5 in all): +$59.98"),
        ("usage", "3 more international calls: +$4.20"),
        ("usage", "1 more long distance call: +$0.05"),
        ("service_added", "Static IP (1) added: +$14.99"),
        ("tax", "State sales tax (NY): $3.60 last time, $6.60 now: +$3.00"),
        ("credit", "Credits: $0.00 last time, -$25.00 now (Credit: Outage): -$25.00"),
        ("late_fee", "Late and returned-payment fees: $0.00 last time, $15.00 now (Late fee): "
                     "+$15.00")]
    assert answer["change_cents"] == 5998 + 420 + 5 + 1499 + 300 - 2500 + 1500
