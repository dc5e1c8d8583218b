"""Why a bill changed: the difference between two statements' totals, reason by reason, in
plain language. Pure functions on plain data (statement_changes.py loads it).

A statement here is ``{invoice_number, lines: [{group, section, description, quantity,
amount_cents}], adjustments: [{kind, description, amount_cents}]}`` where a line's ``group``
is ``recurring`` (a product's month ahead), ``proration`` (a service change's dated line),
``usage`` (calls of one type) or ``tax``. Its total is what it charged: its lines plus its
late fees and credits (payments, refunds and returned payments move money; they charge
nothing). Every cent of the difference is given to exactly one reason, each part being the
rest of what the parts before it left (a quantity change at the old price, then the price
change), so the reasons add up to the change whatever the data.
"""
from collections import defaultdict

from services.billing import fees
from services.contracts.money import signed_usd, usd

# ledger kinds a statement charges beside its lines -> the reason kind they are
CHARGED_ADJUSTMENTS = {"late_fee": "late_fee", "adjustment": "late_fee", "credit": "credit"}
ADJUSTMENT_TITLES = {"late_fee": "Late and returned-payment fees", "credit": "Credits"}
SECTION_ORDER = ("internet", "voice", "tv", "add-ons", "taxes", "adjustments")
MENTIONED_CHARS = 160  # what a credit or fee reason quotes of its entries' descriptions


def total(statement):
    return sum(line["amount_cents"] for line in statement["lines"]) + sum(
        entry["amount_cents"] for entry in statement["adjustments"]
        if entry["kind"] in CHARGED_ADJUSTMENTS)


def _sum_by(items, key):
    found = defaultdict(lambda: {"quantity": 0, "amount_cents": 0, "section": None,
                                 "descriptions": []})
    for item in items:
        entry = found[key(item)]
        entry["quantity"] += item.get("quantity", 0)
        entry["amount_cents"] += item["amount_cents"]
        entry["section"] = item.get("section", "adjustments")
        entry["descriptions"].append(item["description"])
    return found


def _lines(statement, group):
    return [line for line in statement["lines"] if line["group"] == group]


def _reason(kind, section, description, cents):
    return {"kind": kind, "section": section, "description": f"{description}: {signed_usd(cents)}",
            "change_cents": cents}


def _recurring(before, after):
    old = _sum_by(_lines(before, "recurring"), lambda l: (l["section"], l["description"]))
    new = _sum_by(_lines(after, "recurring"), lambda l: (l["section"], l["description"]))
    for section, name in sorted(old.keys() | new.keys()):
        was, now = old.get((section, name)), new.get((section, name))
        if was is None:
            yield _reason("service_added", section, f"{_counted(name, now)} added",
                          now["amount_cents"])
        elif now is None:
            yield _reason("service_removed", section, f"{_counted(name, was)} removed",
                          -was["amount_cents"])
        else:
            yield from _same_service(section, name, was, now)


def _counted(name, held):
    return f"{held['quantity']} × {name}" if held["quantity"] > 1 else name


def _same_service(section, name, was, now):
    more = now["quantity"] - was["quantity"]
    change = now["amount_cents"] - was["amount_cents"]
    by_quantity = 0
    if more:
        each = was["amount_cents"] // was["quantity"] if was["quantity"] else 0
        by_quantity = more * each if was["quantity"] else change
        words = f"{more} more" if more > 0 else f"{-more} fewer"
        yield _reason("quantity_changed", section,
                      f"{name}: {words} ({now['quantity']} in all)", by_quantity)
    if change - by_quantity:
        prices = ""
        if was["quantity"] and now["quantity"]:
            prices = (f" from {usd(was['amount_cents'] // was['quantity'])} to "
                      f"{usd(now['amount_cents'] // now['quantity'])} each")
        yield _reason("price_changed", section, f"{name}: the price changed{prices}",
                      change - by_quantity)


def _difference(kind, before, after, key, describe):
    """A reason per ``key`` whose amounts differ; ``kind`` None: the key is the kind."""
    old, new = _sum_by(before, key), _sum_by(after, key)
    empty = {"quantity": 0, "amount_cents": 0, "section": None, "descriptions": []}
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name, empty), new.get(name, empty)
        change = now["amount_cents"] - was["amount_cents"]
        if change:
            section = now["section"] or was["section"]
            yield _reason(kind or name, section, describe(name, was, now), change)


def _calls(label, n):
    return label[:-1] if n == 1 and label.endswith("calls") else label


def _usage_words(name, was, now):
    label = name.split(" (")[0].lower()  # "Local calls (included)" -> "local calls"
    more = now["quantity"] - was["quantity"]
    if more > 0:
        return f"{more} more {_calls(label, more)}"
    if more < 0:
        return f"{-more} fewer {_calls(label, -more)}"
    return f"{label[0].upper()}{label[1:]}: as many, but longer or to costlier places"


def _amounts(name, was, now):
    return f"{name}: {usd(was['amount_cents'])} last time, {usd(now['amount_cents'])} now"


def _adjustment_words(kind, was, now):
    words = _amounts(ADJUSTMENT_TITLES[kind], was, now)
    mentioned = "; ".join(now["descriptions"])
    if mentioned:
        if len(mentioned) > MENTIONED_CHARS:
            mentioned = mentioned[:MENTIONED_CHARS - 3].rstrip() + "..."
        words += f" ({mentioned})"
    return words


def explain(before, after):
    """``{previous_invoice_number, previous_total_cents, total_cents, change_cents,
    reasons: [{kind, section, description, change_cents}]}`` of ``after`` against the
    statement ``before`` it (None: the first statement, no reasons)."""
    if before is None:
        return {"previous_invoice_number": None, "previous_total_cents": None,
                "total_cents": total(after), "change_cents": 0, "reasons": []}
    reasons = list(_recurring(before, after))
    section_key = lambda l: l["section"]
    reasons += _difference("proration", _lines(before, "proration"), _lines(after, "proration"),
                           section_key, lambda section, w, n: "Prorated charges and credits "
                           f"for service changes ({fees.SECTION_TITLES.get(section, section)})")
    reasons += _difference("usage", _lines(before, "usage"), _lines(after, "usage"),
                           lambda l: l["description"], _usage_words)
    reasons += _difference("tax", _lines(before, "tax"), _lines(after, "tax"),
                           lambda l: l["description"], _amounts)
    charged = lambda s: [e for e in s["adjustments"] if e["kind"] in CHARGED_ADJUSTMENTS]
    reasons += _difference(None, charged(before), charged(after),
                           lambda e: CHARGED_ADJUSTMENTS[e["kind"]], _adjustment_words)
    reasons.sort(key=lambda r: SECTION_ORDER.index(r["section"])
                 if r["section"] in SECTION_ORDER else len(SECTION_ORDER))
    previous, now = total(before), total(after)
    return {"previous_invoice_number": before["invoice_number"], "previous_total_cents": previous,
            "total_cents": now, "change_cents": now - previous, "reasons": reasons}
