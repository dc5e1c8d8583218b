"""The statement as the customer would print it, rendered with reportlab: it reads like a bill.

First page, top to bottom: the letterhead (the provider, how to reach support), the customer's
name and address on the left with the account block on the right (account number and, next
to it, the account's security key, which the customer needs to create an online ID; invoice
number, statement date, service period), the amount due and due date in large type, the
account summary, then each section with its lines; at the bottom, the payment stub to detach
(pdf_stub; on a page of its own when it does not fit, pdf_pages). Every page is numbered
"Page n of N". Money and dates read the US way (services.contracts.money).

The key comes in the statement detail given to the renderer only (``account.security_key``,
queries.printable_statement: unsealed by billing for this render), and is printed like
everything else; it is not on the payment stub (that part goes in the mail) nor in the
document's metadata.

Everything that comes from data reaches a paragraph only through ``plain`` (pdf_text):
escaped, so reportlab's paragraph markup (``<img src>``, ``<a href>``, ``<font>``) is shown as
text and never parsed, cut to a printable length and stripped of control and format
characters; one-line table cells and canvas text, which reportlab never parses, go through
``text`` (cleaned and cut, not escaped). Only the literal markup written in these modules is
ever parsed. Render through ``pdf_sandbox``,
which runs this in a child process with bounded memory and time.
"""
import io
from datetime import date, timedelta

from reportlab.platypus import BaseDocTemplate, PageBreak, Paragraph, Spacer

from services.billing import pdf_fonts as fonts
from services.billing import pdf_pages as pages
from services.billing import pdf_changes, pdf_stub
from services.billing.pdf_text import (
    ADDRESS_CHARS,
    PRINTED_CHARS,  # noqa: F401 -- read as pdf.PRINTED_CHARS (with pdf.plain) by the safety tests
    address_lines,
    metadata,
    plain,
    running_head,
    text,
)
from services.billing.pdf_theme import BRAND, beside, grid, label_block, style
from services.contracts import support
from services.contracts.money import us_date, usd

PROVIDER = "BizPortal Business Services"
SUPPORT = (f"Business support, {support.HOURS}: {support.PHONE}", support.EMAIL)


def render(statement):
    """PDF bytes for a printable statement (queries.printable_statement)."""
    stub = pdf_stub.stub(statement)
    page_templates, fits = pages.templates(stub, running_head(statement, pages.head_fits))
    out = io.BytesIO()
    # initialFontName: each page's preamble names the embedded font, not a bare Helvetica
    doc = BaseDocTemplate(out, pagesize=pages.LETTER, pageTemplates=page_templates,
                          initialFontName=fonts.BODY, **metadata(statement, PROVIDER))
    story = [_letterhead(bool(statement.get("final"))), Spacer(1, 12),
             _addressee_and_account(statement), Spacer(1, 12),
             _amount_due(statement), Spacer(1, 12), *_summary(statement)]
    for section in statement["sections"]:
        story += _section(section)
    story += _adjustments(statement.get("adjustments") or [])
    story += pdf_changes.flowables(statement.get("changes"))
    if not fits:  # a page of its own, after the statement
        story += [PageBreak(), pdf_stub.tear_line_flowable(), Spacer(1, 8), stub]
    footer = (f"{PROVIDER}  ·  Account {text(statement['account']['account_number'], 40)}"
              f"  ·  Invoice {text(statement['invoice_number'], 40)}")  # canvas text
    doc.build(story, canvasmaker=lambda *a, **k: pages.NumberedCanvas(*a, footer=footer, **k))
    return out.getvalue()


def _letterhead(final=False):
    left = [Paragraph(PROVIDER, style("brand")),
            Paragraph("Internet  ·  Voice  ·  TV for business", style("small"))]
    # a closed account's last bill (billing/closure.py) says so where the title is
    right = [Paragraph("Final statement" if final else "Business statement",
                       style("title_right")),
             *(Paragraph(line, style("small_right")) for line in SUPPORT)]
    return grid([[left, right]], [0.6, 0.4], rule_below=BRAND)


def _addressee_and_account(statement):
    account = statement["account"]
    lines = address_lines(account)
    addressee = [Paragraph(plain(lines[0], ADDRESS_CHARS), style("addressee")),
                 *(Paragraph(plain(line, ADDRESS_CHARS), style("normal"))
                   for line in lines[1:] if line)]
    rows = [("Account number", account["account_number"]),
            ("Security key", account.get("security_key") or ""),
            ("Invoice number", statement["invoice_number"]),
            ("Statement date", us_date(statement["statement_date"]))]
    if statement.get("period_start") and statement.get("period_end"):
        last_day = date.fromisoformat(statement["period_end"]) - timedelta(days=1)
        rows.append(("Service period",
                     f"{us_date(statement['period_start'])} to {us_date(last_day)}"))
    return beside(addressee, label_block([(label, text(value, 40)) for label, value in rows]))


def _amount_due(statement):
    return grid([[Paragraph(f"Amount due {usd(statement['amount_due_cents'])}", style("due")),
                  Paragraph(f"Due by {us_date(statement['due_date'])}", style("due_date"))]],
                [0.55, 0.45], shaded=True)


def _summary(statement):
    rows = [["Previous balance", usd(statement["previous_balance_cents"])],
            ["Payments received", usd(-statement["payments_cents"])],
            ["Adjustments", usd(statement["adjustments_cents"])],
            ["New charges", usd(statement["new_charges_cents"])],
            ["Amount due", usd(statement["amount_due_cents"])]]
    return [Paragraph("Account summary", style("heading")),
            grid(rows, [0.78, 0.22], total_last=True)]


def _section(section):
    """One table: its name and column heads (repeated when it runs onto the next page), its
    lines, its total."""
    rows = [[Paragraph(plain(section["name"]), style("heading")), "", ""],
            [Paragraph("Description", style("column")), Paragraph("Qty", style("column_right")),
             Paragraph("Amount", style("column_right"))]]
    rows += [[Paragraph(plain(line["description"]), style("cell")), str(int(line["quantity"])),
              usd(line["amount_cents"])] for line in section["lines"]]
    rows.append([Paragraph(f"Total {plain(section['name'])}", style("cell_bold")), "",
                 usd(section["subtotal_cents"])])
    return [grid(rows, [0.7, 0.08, 0.22], total_last=True, header=True)]



def _adjustments(entries):
    """Credits and fees that first appeared on this statement, each with its description
    (a credit's reason, which staff typed: through ``plain`` like every other text)."""
    if not entries:
        return []
    rows = [[Paragraph("Adjustments", style("heading")), "", ""],
            [Paragraph("Description", style("column")), Paragraph("Date", style("column_right")),
             Paragraph("Amount", style("column_right"))]]
    rows += [[Paragraph(plain(entry["description"]), style("cell")), us_date(entry["date"]),
              usd(entry["amount_cents"])] for entry in entries]
    rows.append([Paragraph("Total adjustments", style("cell_bold")), "",
                 usd(sum(entry["amount_cents"] for entry in entries))])
    return [grid(rows, [0.6, 0.18, 0.22], total_last=True, header=True)]
