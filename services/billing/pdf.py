"""The statement as the customer would print it, rendered with reportlab.

Top: account number and security key, then the amount due and due date in large type, the
summary of the account, each section with its lines, and a payment stub to tear off.

The security key is printed masked ("****-****"): the key is stored only as an argon2 hash,
so the plain key cannot be printed from a PDF rendered on demand. The customer who reads this
PDF in the portal has already signed up; the plain key reaches the customer once, on the
welcome letter staff print when opening the account (open_account returns it once).
"""
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

MASKED_KEY = "****-****"  # the standard PDF fonts have no bullet glyph


def dollars(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


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
    doc = SimpleDocTemplate(out, pagesize=LETTER, title=f"Statement {statement['invoice_number']}",
                            leftMargin=0.7 * inch, rightMargin=0.7 * inch,
                            topMargin=0.6 * inch, bottomMargin=0.6 * inch)
    story = [
        _grid([["Account number", account["account_number"]],
               ["Security key", MASKED_KEY + "  (printed on your welcome letter)"],
               ["Invoice number", statement["invoice_number"]],
               ["Statement date", statement["statement_date"]]], [1.6 * inch, 5.4 * inch]),
        Spacer(1, 10),
        Paragraph("BizPortal Business Services", styles["Title"]),
        Paragraph(f"{account['company_name']}<br/>{account['billing_address']['line1']}"
                  f"{', ' + account['billing_address']['line2'] if account['billing_address'].get('line2') else ''}"
                  f"<br/>{account['billing_address']['city']}, {account['billing_address']['state']}"
                  f" {account['billing_address']['postal_code']}", styles["Normal"]),
        Spacer(1, 12),
        Paragraph(f"<font size=20><b>Amount due {dollars(statement['amount_due_cents'])}</b></font>",
                  styles["Normal"]),
        Spacer(1, 14),
        Paragraph(f"<font size=14>Due by {statement['due_date']}</font>", styles["Normal"]),
        Spacer(1, 14),
        Paragraph("Account summary", styles["Heading3"]),
        _grid([["Previous balance", dollars(statement["previous_balance_cents"])],
               ["Payments", dollars(-statement["payments_cents"])],
               ["Adjustments", dollars(statement["adjustments_cents"])],
               ["New charges", dollars(statement["new_charges_cents"])],
               ["Amount due", dollars(statement["amount_due_cents"])]],
              [5.4 * inch, 1.6 * inch], bold_last=True),
    ]
    for section in statement["sections"]:
        rows = [[line["description"], str(line["quantity"]), dollars(line["amount_cents"])]
                for line in section["lines"]]
        rows.append([f"Total {section['name']}", "", dollars(section["subtotal_cents"])])
        story += [Paragraph(section["name"], styles["Heading3"]),
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
