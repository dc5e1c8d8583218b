"""Data as statement text: ``plain`` for what reportlab lays out (escaped paragraph text),
``metadata`` for the document's title, author and subject (PDF strings, not markup)."""
import unicodedata
from xml.sax.saxutils import escape

from services.contracts.money import us_date

PRINTED_CHARS = 300  # longer values are cut: a row of a table cannot split across pages
# a line of the addressee block (five of them share one row, beside the account block) and
# the name on the stub; a postal address line is under 40 characters
ADDRESS_CHARS = 120
METADATA_CHARS = 120


def _clean(value, limit):
    """Control and format characters (line breaks, bidi overrides, zero-width joiners) as
    spaces, runs of space as one, cut to ``limit`` characters."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 3].rstrip() + "..."
    return text


def text(value, limit=PRINTED_CHARS):
    """``value`` as text drawn as it is (a table cell of text, the canvas): cleaned, not
    escaped."""
    return _clean(value, limit)


def plain(value, limit=PRINTED_CHARS):
    """``value`` as paragraph text that reportlab shows literally: cleaned (see _clean), cut
    to ``limit`` characters and escaped (``<`` ``>`` ``&`` and quotes)."""
    return escape(_clean(value, limit), {'"': "&quot;", "'": "&#39;"})


def metadata(statement, author):
    """The document information: title ("Statement <invoice> for <company>"), author (the
    provider), subject. Never the security key."""
    account = statement["account"]
    invoice = _clean(statement["invoice_number"], 40)
    return {"title": _clean(f"Statement {invoice} for {_clean(account.get('company_name'), 80)}",
                            METADATA_CHARS),
            "author": _clean(author, METADATA_CHARS),
            "subject": _clean(f"Business statement of {us_date(statement['statement_date'])} "
                              f"for account {account['account_number']}", METADATA_CHARS),
            "creator": _clean(author, METADATA_CHARS)}


def running_head(statement, fits=lambda line: True):
    """The line atop every page after the first: whose statement, of when (plain text, drawn on
    the canvas, so not escaped). The name is cut until ``fits`` (the line's measured width):
    sixty wide letters (Ю, W) would otherwise push the date off the paper."""
    name = full = _clean(statement["account"].get("company_name"), 60)
    tail = f"  ·  Statement of {us_date(statement['statement_date'])} (continued)"
    while name and not fits(name + tail):
        full = full[:-1].rstrip()
        name = f"{full}..." if full else ""
    return name + tail


def address_lines(account):
    """Company name, attention line, street (and second line), city, state and ZIP, as data
    (not markup); an empty part is left out."""
    address = account.get("billing_address") or {}
    city = ", ".join(part for part in (address.get("city"), address.get("state")) if part)
    last = " ".join(part for part in (city, address.get("postal_code")) if part)
    contact = account.get("contact_name")
    return [account.get("company_name") or "", f"Attn: {contact}" if contact else "",
            address.get("line1") or "", address.get("line2") or "", last]
