"""Taxes, regulatory fees, late fees and due dates: the numbers and the SQL that applies them.

Rates are basis points (1/100 of a percent); every rounding is services.contracts.money's
percent_of (half up to the cent), which the SQL applies through percent_of_sql.
"""
from services.billing import catalogue

CURRENCY = "USD"
DUE_DAYS = 21
LATE_FEE_CENTS = 1500
LATE_FEE_GRACE_DAYS = 5
RETURNED_PAYMENT_FEE_CENTS = 2500

USF_BASIS_POINTS = 500          # federal universal-service fee on voice charges
E911_CENTS_PER_LINE = 95        # per voice line per month
DEFAULT_SALES_TAX_BASIS_POINTS = 600
SALES_TAX_BASIS_POINTS = {       # state sales tax on taxable recurring lines
    "CA": 725, "NY": 400, "TX": 625, "FL": 600, "WA": 650, "IL": 625, "MA": 625,
    "NJ": 663, "PA": 600, "OR": 0, "DE": 0, "MT": 0, "NH": 0, "AK": 0,
}

SECTION_TITLES = {"internet": "Internet", "voice": "Voice", "tv": "TV", "add-ons": "Add-ons",
                  "taxes": "Taxes, fees and surcharges"}
SECTION_RANK = {name: rank for rank, name in enumerate(SECTION_TITLES)}

USAGE_LINES = {  # call type -> (position in the voice section, description)
    "local": (900, "Local calls (included)"),
    "long_distance": (901, "Long distance calls"),
    "international": (902, "International calls"),
}


def _quote(value):
    return "'" + str(value).replace("'", "''") + "'"


def _case(column, mapping, default):
    whens = " ".join(f"WHEN {_quote(k)} THEN {v}" for k, v in mapping.items())
    return f"(CASE {column} {whens} ELSE {default} END)"


def product_name_sql(column):
    return _case(column, {p.code: _quote(p.name) for p in catalogue.PRODUCTS}, _quote("Service"))


def product_section_sql(column):
    return _case(column, {p.code: _quote(p.section) for p in catalogue.PRODUCTS}, _quote("add-ons"))


_POSITIONS = {p.code: SECTION_RANK[p.section] * 1000 + i for i, p in enumerate(catalogue.PRODUCTS)}


def product_position(code):
    """Where a product's lines sit on a statement: the catalogue's order within each section
    (its prorated lines too, beside its monthly line)."""
    return _POSITIONS.get(code, 3999)


def product_position_sql(column):
    return _case(column, _POSITIONS, 3999)


def product_taxable_sql(column):
    return _case(column, {p.code: int(p.taxable) for p in catalogue.PRODUCTS}, 1)


def product_voice_lines_sql(column):
    return _case(column, {p.code: p.voice_lines for p in catalogue.PRODUCTS if p.voice_lines}, 0)


def sales_tax_sql(column):
    return _case(column, SALES_TAX_BASIS_POINTS, DEFAULT_SALES_TAX_BASIS_POINTS)


def usage_position_sql(column):
    return _case(column, {t: SECTION_RANK["voice"] * 1000 + p for t, (p, _) in USAGE_LINES.items()},
                 1999)


def usage_description_sql(column):
    return _case(column, {t: _quote(d) for t, (_, d) in USAGE_LINES.items()}, _quote("Calls"))
