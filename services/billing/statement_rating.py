"""What a statement charges: the SQL that rates a batch of statement rows into their lines.

The one rating of a period for an account: its recurring charges for the month ahead, the
prorated lines of its service changes, its usage by call type, and the taxes and fees on
them (rounded by services.contracts.money's percent_of_sql). The bill run (bill_runs.py)
runs it for the statements it issues; the month-so-far estimate (current_usage.py) runs the
very same statements for one account in a savepoint it rolls back, so the estimate cannot
drift from the bill. It is set-based SQL, not a Python function per account, because a bill
run rates thousands of accounts per batch in a fixed number of statements.
"""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, DateTime, bindparam, text

from services.billing import fees
from services.contracts import money

_LINE_COLUMNS = "statement_id, section, position, description, quantity, amount_cents"
# state sales tax of a statement: its taxable recurring charges at its state's rate
_SALES_TAX = money.percent_of_sql("sum(t.taxable_cents)", fees.sales_tax_sql("a.state"))
# what that tax is on: each service's month ahead, and the prorated lines of service changes
# this statement carries (credits too: the tax on a month paid ahead is given back with it)
_TAXABLE = f"""
    SELECT v.account_id,
           v.quantity * v.monthly_cents * {fees.product_taxable_sql('v.product_code')}
               AS taxable_cents
    FROM account_services v
    WHERE v.account_id IN (SELECT account_id FROM statements WHERE batch = :b)
    UNION ALL
    SELECT p.account_id, p.amount_cents * {fees.product_taxable_sql('p.product_code')}
    FROM service_change_lines p JOIN statements s ON s.id = p.statement_id
    WHERE s.batch = :b"""

# the statement rows of batch :b, their totals 0 until the bill run posts them; the unique
# (account, date) makes a second issue a no-op
OPEN = [
    """INSERT INTO statements (account_id, invoice_number, statement_date, period_start,
           period_end, due_date, currency, previous_balance_cents, payments_cents,
           adjustments_cents, new_charges_cents, amount_due_cents, batch, issued_at)
       SELECT a.id, :prefix || CAST(a.id + 10000000 AS VARCHAR(12)), :d, :ps, :pe, :due, 'USD',
              0, 0, 0, 0, 0, :b, :now
       FROM accounts a WHERE a.id IN :ids
       ON CONFLICT DO NOTHING""",
]

# the lines of each statement row of batch :b
LINES = [
    # recurring charges for the coming month, one line per subscribed product
    f"""INSERT INTO statement_lines ({_LINE_COLUMNS})
        SELECT s.id, {fees.product_section_sql('v.product_code')},
               {fees.product_position_sql('v.product_code')},
               {fees.product_name_sql('v.product_code')}, v.quantity, v.quantity * v.monthly_cents
        FROM statements s JOIN account_services v ON v.account_id = s.account_id
        WHERE s.batch = :b""",
    # service changes since the last statement: each prorated credit and charge, dated, in
    # its product's section (service_changes.py); then they are this statement's
    """INSERT INTO statement_lines (statement_id, section, position, description, quantity,
           amount_cents)
       SELECT s.id, p.section, p.position, p.description, p.quantity, p.amount_cents
       FROM statements s JOIN service_change_lines p ON p.account_id = s.account_id
       WHERE s.batch = :b AND p.statement_id IS NULL
       ORDER BY p.id""",
    """UPDATE service_change_lines SET statement_id = (
           SELECT s.id FROM statements s
           WHERE s.batch = :b AND s.account_id = service_change_lines.account_id)
       WHERE statement_id IS NULL
         AND account_id IN (SELECT account_id FROM statements WHERE batch = :b)""",
    # usage of the past period, one line per call type, in the voice section
    f"""INSERT INTO statement_lines ({_LINE_COLUMNS})
        SELECT s.id, 'voice', {fees.usage_position_sql('c.call_type')},
               {fees.usage_description_sql('c.call_type')}, count(*), sum(c.charge_cents)
        FROM statements s JOIN calls c ON c.account_id = s.account_id
             AND c.started_at >= :ts AND c.started_at < :te
        WHERE s.batch = :b GROUP BY s.id, c.call_type""",
    # federal universal-service fee on the voice section (recurring and usage)
    f"""INSERT INTO statement_lines ({_LINE_COLUMNS})
        SELECT l.statement_id, 'taxes', 4000, 'Federal Universal Service Fee', 1,
               {money.percent_of_sql('sum(l.amount_cents)', fees.USF_BASIS_POINTS)}
        FROM statement_lines l JOIN statements s ON s.id = l.statement_id
        WHERE s.batch = :b AND l.section = 'voice'
        GROUP BY l.statement_id HAVING sum(l.amount_cents) <> 0""",
    # 911 fee per voice line
    f"""INSERT INTO statement_lines ({_LINE_COLUMNS})
        SELECT s.id, 'taxes', 4001, '911 service fee', sum(v.quantity * {fees.product_voice_lines_sql('v.product_code')}),
               sum(v.quantity * {fees.product_voice_lines_sql('v.product_code')}) * {fees.E911_CENTS_PER_LINE}
        FROM statements s JOIN account_services v ON v.account_id = s.account_id
        WHERE s.batch = :b
        GROUP BY s.id HAVING sum(v.quantity * {fees.product_voice_lines_sql('v.product_code')}) > 0""",
    # state sales tax on taxable recurring lines, at the billing address's state rate
    f"""INSERT INTO statement_lines ({_LINE_COLUMNS})
        SELECT s.id, 'taxes', 4002, 'State sales tax (' || a.state || ')', 1,
               {_SALES_TAX}
        FROM statements s JOIN accounts a ON a.id = s.account_id
             JOIN ({_TAXABLE}) t ON t.account_id = s.account_id
        WHERE s.batch = :b
        GROUP BY s.id, a.state
        HAVING {_SALES_TAX} <> 0""",
]


TYPES = {"d": Date, "ps": Date, "pe": Date, "due": Date, "now": DateTime(timezone=True),
          "ts": DateTime(timezone=True), "te": DateTime(timezone=True)}


def params(batch, statement_date, account_ids, now, usage_from=None):
    """The parameters of OPEN and LINES (and the bill run's posting) for statements dated
    ``statement_date`` of ``account_ids`` in ``batch``: the usage period is [period_start,
    statement date) in UTC, or [``usage_from``, statement date) (a final statement)."""
    start = usage_from or period_start(statement_date)
    return {"b": batch, "d": statement_date, "ps": start, "pe": statement_date,
            "due": due_date(statement_date), "now": now, "ids": list(account_ids),
            "ts": datetime.combine(start, time(), UTC),
            "te": datetime.combine(statement_date, time(), UTC),
            "prefix": statement_date.strftime("%y%m%d")}


def execute(session, statements, p):
    """Run ``statements`` in order with the parameters each one names from ``p``."""
    for sql in statements:
        statement = typed(sql, **{k: v for k, v in TYPES.items() if f":{k}" in sql})
        if ":ids" in sql:
            statement = statement.bindparams(bindparam("ids", expanding=True))
        session.execute(statement, {k: v for k, v in p.items() if f":{k}" in sql})


def typed(sql, **types):
    return text(sql).bindparams(*(bindparam(name, type_=type_) for name, type_ in types.items()))


def period_start(statement_date):
    """The same day one month earlier: the usage period is [that day, statement date)."""
    year, month = (statement_date.year, statement_date.month - 1) if statement_date.month > 1 \
        else (statement_date.year - 1, 12)
    return date(year, month, min(statement_date.day, 28))


def due_date(statement_date):
    return statement_date + timedelta(days=fees.DUE_DAYS)
