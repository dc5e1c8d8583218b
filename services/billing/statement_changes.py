"""Why a statement's total differs from the previous one's: each statement read as plain data
for change_reasons (its lines grouped as the bill run made them, its late fees and credits).

The group of a line is found from where it came from: the taxes section; a voice line of a
call type (fees.USAGE_LINES); a prorated line the bill run copied from the service changes it
carries (service_change_lines marked with the statement); else a product's month ahead.
"""
from collections import Counter

from sqlalchemy import select

from services.billing import change_reasons, fees, queries
from services.billing.current_usage import is_usage_line
from services.billing.models import LedgerEntry, ServiceChangeLine, Statement, StatementLine


def _group(line, prorated):
    if line["section"] == "taxes":
        return "tax"
    if is_usage_line(line):
        return "usage"
    key = (line["description"], line["quantity"], line["amount_cents"])
    if prorated[key]:
        prorated[key] -= 1
        return "proration"
    return "recurring"


def snapshot(session, statement):
    """``statement`` (a Statement row) as change_reasons reads one."""
    prorated = Counter(session.execute(
        select(ServiceChangeLine.description, ServiceChangeLine.quantity,
               ServiceChangeLine.amount_cents)
        .where(ServiceChangeLine.statement_id == statement.id)).tuples())
    lines = []
    for row in session.execute(
            select(StatementLine.section, StatementLine.description, StatementLine.quantity,
                   StatementLine.amount_cents).where(StatementLine.statement_id == statement.id)
            .order_by(StatementLine.position, StatementLine.id)).mappings():
        line = dict(row)
        line["group"] = _group(line, prorated)
        lines.append(line)
    adjustments = [dict(row) for row in session.execute(
        select(LedgerEntry.kind, LedgerEntry.description, LedgerEntry.amount_cents)
        .where(LedgerEntry.statement_id == statement.id,
               LedgerEntry.kind.not_in(queries.ON_STATEMENT_ONLY))
        .order_by(LedgerEntry.id)).mappings()]
    return {"invoice_number": statement.invoice_number, "lines": lines,
            "adjustments": adjustments}


def previous(session, statement):
    return session.execute(select(Statement).where(
        Statement.account_id == statement.account_id,
        Statement.statement_date < statement.statement_date)
        .order_by(Statement.statement_date.desc()).limit(1)).scalar()


def explain(session, statement):
    """contracts.insight.StatementChanges of ``statement`` against the one before it."""
    before = previous(session, statement)
    answer = change_reasons.explain(before and snapshot(session, before),
                                    snapshot(session, statement))
    return {"invoice_number": statement.invoice_number, **answer, "currency": fees.CURRENCY}


def changes(session, account_number, invoice_number):
    """The same for a statement named by its numbers. Raises NotFound."""
    _, statement = queries.statement_row(session, account_number, invoice_number)
    return explain(session, statement)
