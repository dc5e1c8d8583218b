"""The statement PDF's "Why your bill changed" (statement_changes): each reason a paragraph
through ``plain`` (escaped: a credit's reason quoted in it is staff's text), after the
charges. The first statement says it has none to compare with."""
from reportlab.platypus import Paragraph

from services.billing.pdf_text import plain
from services.billing.pdf_theme import grid, style
from services.contracts.money import signed_usd, usd


def flowables(changes):
    if not changes:
        return []
    heading = Paragraph("Why your bill changed", style("heading"))
    if not changes.get("previous_invoice_number"):
        return [heading, Paragraph("This is the account's first statement: there is none "
                                   "before it to compare with.", style("normal"))]
    intro = (f"This statement charged {usd(changes['total_cents'])}, against "
             f"{usd(changes['previous_total_cents'])} on statement "
             f"{plain(changes['previous_invoice_number'], 40)}: "
             f"{signed_usd(changes['change_cents'])}.")
    rows = [[Paragraph(plain(reason["description"]), style("cell"))]
            for reason in changes["reasons"]] or [[Paragraph(
                "Nothing changed: the same services, calls, taxes and fees as last time.",
                style("cell"))]]
    return [heading, Paragraph(intro, style("normal")), grid(rows, [1.0], align_last=False)]
