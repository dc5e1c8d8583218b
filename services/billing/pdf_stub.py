"""The payment stub: what the customer tears off and mails with the check. Whom to make the
check payable to and where to mail it (the statement's ``remittance``, from REMIT_PAYEE and
REMIT_ADDRESS), the customer, the account and invoice numbers, the amount due and its date,
and a blank for the amount enclosed. Never the security key: this part travels in the mail."""
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph

from services.billing import pdf_pages as pages
from services.billing.pdf_text import ADDRESS_CHARS, plain, text
from services.billing.pdf_theme import beside, label_block, style
from services.contracts.money import us_date, usd
from services.runtime.config import DEFAULT_REMIT_ADDRESS, DEFAULT_REMIT_PAYEE


def stub(statement):
    account = statement["account"]
    remit = statement.get("remittance") or {}
    payee = remit.get("payee") or DEFAULT_REMIT_PAYEE
    address = remit.get("address") or DEFAULT_REMIT_ADDRESS
    left = [Paragraph("Payment stub", style("stub_title")),
            Paragraph(plain(account.get("company_name"), ADDRESS_CHARS), style("addressee")),
            Paragraph(f"Make checks payable to {plain(payee)}", style("stub_note")),
            Paragraph(f"Mail to {plain(address)}", style("stub_note")),
            Paragraph("Please write your account number on your check.",
                      style("small"))]
    rows = [("Account number", text(account["account_number"], 40)),
            ("Invoice number", text(statement["invoice_number"], 40)),
            ("Due by", us_date(statement["due_date"])),
            ("Amount due", usd(statement["amount_due_cents"])),
            ("Amount enclosed", "$ ______________")]
    # narrower than the account block: the left side keeps "Make checks payable to …" on a line
    return beside(left, label_block(rows, width=3.1 * inch))


class _TearLine(Flowable):
    """The dashed line to detach along, as a flowable (the stub on a page of its own)."""

    def wrap(self, available_width, available_height):
        return available_width, pages.TEAR_SPACE / 2

    def draw(self):
        self.canv.translate(-pages.MARGIN, 0)  # the line runs across the page, not the frame
        pages.tear_line(self.canv, pages.TEAR_SPACE / 4)


def tear_line_flowable():
    return _TearLine()
