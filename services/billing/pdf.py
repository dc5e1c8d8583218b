"""The statement as the customer would print it, rendered with reportlab.

Top: account number and, next to it, the account's security key (the customer needs both to
create an online ID), then the amount due and due date in large type, the summary of the
account, each section with its lines, and a payment stub to tear off.

The key comes in the statement detail given to the renderer only (``account.security_key``,
queries.printable_statement: unsealed by billing for this render), and is printed through
``plain`` like everything else; it is not on the payment stub (that part goes in the mail).

Everything that comes from data (company name, address, section names, line descriptions,
anything a customer or staff member typed) reaches reportlab only through ``plain``: escaped,
so reportlab's paragraph markup (``<img src>``, ``<a href>``, ``<font>``) is shown as text and
never parsed, cut to a printable length and stripped of control and format characters. Only
the literal markup written in this module is ever parsed. Render through ``pdf_sandbox``,
which runs this in a child process with bounded memory and time.
"""
import io
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PRINTED_CHARS = 300  # longer values are cut: a row of a table cannot split across pages


def plain(value, limit=PRINTED_CHARS):
    """``value`` as paragraph text that reportlab shows literally: control and format
    characters (line breaks, bidi overrides, zero-width joiners) become spaces, the text is
    cut to ``limit`` characters and escaped (``<`` ``>`` ``&`` and quotes)."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 3].rstrip() + "..."
    return escape(text, {'"': "&quot;", "'": "&#39;"})


def dollars(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def _cell(value, style):
    """A table cell from data: a wrapping paragraph of plain text."""
    return Paragraph(plain(value), style)


def _grid(rows, widths, bold_last=False):
    table = Table(rows, colWidths=widths)
    style = [("FONT", (0, 0), (-1, -1), "Helvetica", 9),
             ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2)]
    if bold_last:
        style += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey)]
    table.setStyle(TableStyle(style))
    return table


def render(statement):
    """PDF bytes for a statement detail (queries.statement_detail)."""
    styles = getSampleStyleSheet()
    account = statement["account"]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER,
                            title=f"Statement {plain(statement['invoice_number'], 40)}",
                            leftMargin=0.7 * inch, rightMargin=0.7 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch)
    story = [
        _grid([["Account number", plain(account["account_number"], 40),
                "Security key", plain(account.get("security_key") or "", 40)],
               ["Invoice number", plain(statement["invoice_number"], 40), "", ""],
               ["Statement date", plain(statement["statement_date"], 40), "", ""]],
              [1.4 * inch, 2.1 * inch, 1.2 * inch, 2.3 * inch]),
        Spacer(1, 10),
        Paragraph("BizPortal Business Services", styles["Title"]),
        Paragraph("<br/>".join(plain(part) for part in _address_lines(account)),
                  styles["Normal"]),
        Spacer(1, 12),
        Paragraph(f"<font size=20><b>Amount due {dollars(statement['amount_due_cents'])}</b></font>",
                  styles["Normal"]),
        Spacer(1, 14),
        Paragraph(f"<font size=14>Due by {plain(statement['due_date'])}</font>", styles["Normal"]),
        Spacer(1, 14),
        Paragraph("Account summary", styles["Heading3"]),
        _grid([["Previous balance", dollars(statement["previous_balance_cents"])],
               ["Payments", dollars(-statement["payments_cents"])],
               ["Adjustments", dollars(statement["adjustments_cents"])],
               ["New charges", dollars(statement["new_charges_cents"])],
               ["Amount due", dollars(statement["amount_due_cents"])]],
              [5.4 * inch, 1.6 * inch], bold_last=True),
    ]
    cell = ParagraphStyle("cell", parent=styles["Normal"], fontName="Helvetica", fontSize=9,
                          leading=11)
    total = ParagraphStyle("total", parent=cell, fontName="Helvetica-Bold")
    for section in statement["sections"]:
        rows = [[_cell(line["description"], cell), str(int(line["quantity"])),
                 dollars(line["amount_cents"])] for line in section["lines"]]
        rows.append([_cell(f"Total {section['name']}", total), "",
                     dollars(section["subtotal_cents"])])
        story += [Paragraph(plain(section["name"]), styles["Heading3"]),
                  _grid(rows, [4.8 * inch, 0.6 * inch, 1.6 * inch], bold_last=True)]
    story += [Spacer(1, 24), Paragraph("- - - - - - - - - - - - - - - - - - - - Detach and "
                                       "return with your payment - - - - - - - - - - - - - - - -",
                                       styles["Normal"]), Spacer(1, 8),
              _grid([["Payment stub", ""], ["Account number", account["account_number"]],
                     ["Invoice number", statement["invoice_number"]],
                     ["Due date", statement["due_date"]],
                     ["Amount due", dollars(statement["amount_due_cents"])],
                     ["Amount enclosed", "$ ____________"]],
                    [3.5 * inch, 3.5 * inch])]
    doc.build(story)
    return out.getvalue()


def _address_lines(account):
    """Company name, street (and second line), city, state and ZIP, as data (not markup)."""
    address = account.get("billing_address") or {}
    street = address.get("line1") or ""
    if address.get("line2"):
        street = f"{street}, {address['line2']}"
    return [account.get("company_name"), street,
            f"{address.get('city') or ''}, {address.get('state') or ''} "
            f"{address.get('postal_code') or ''}"]
