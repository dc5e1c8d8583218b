"""Bill runs: one statement per account per statement date, in set-based SQL.

Accounts are billed in batches. Each batch is one transaction that claims up to BATCH
accounts not yet billed for the date (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
billing replicas running the same cycle take disjoint batches), then builds their statements
with a fixed number of ``INSERT ... SELECT`` / ``UPDATE`` statements whatever the batch size:
no per-account round trips. The unique (account, statement date) constraint with
``ON CONFLICT DO NOTHING`` is the final guard: each account is billed exactly once per date,
and re-running a date issues nothing new.
"""
import uuid
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Date, DateTime, bindparam, text

from services import contracts
from services.billing import events, fees
from services.contracts import money
from services.contracts.billing import BillRunRequest
from services.runtime import clock

BATCH = 500


def period_start(statement_date):
    """The same day one month earlier: the usage period is [that day, statement date)."""
    year, month = (statement_date.year, statement_date.month - 1) if statement_date.month > 1 \
        else (statement_date.year - 1, 12)
    return date(year, month, min(statement_date.day, 28))


def due_date(statement_date):
    return statement_date + timedelta(days=fees.DUE_DAYS)


def _typed(sql, **types):
    return text(sql).bindparams(*(bindparam(name, type_=type_) for name, type_ in types.items()))


def run(db, statement_date, account_numbers=None, progress=None, now=None):
    """Issue the statements due on ``statement_date``; returns how many this call issued.

    ``account_numbers`` limits the run to those accounts (any cycle day); ``progress`` is called
    with each batch's count. Emits ``billing.statement_issued`` per statement.
    """
    if account_numbers is not None and not account_numbers:
        return 0
    issued = 0
    while True:
        with db.transaction() as tx:
            claimed, count = issue_batch(tx, statement_date, account_numbers, now=now)
        if not claimed:
            return issued
        issued += count
        if progress:
            progress(count)


def pending_count(session, statement_date, account_numbers=None):
    """How many accounts the run for ``statement_date`` still has to bill."""
    where, params = _accounts_filter(statement_date, account_numbers)
    return session.execute(_typed(f"""
        SELECT count(*) FROM accounts a WHERE {where} AND NOT EXISTS (
            SELECT 1 FROM statements s WHERE s.account_id = a.id AND s.statement_date = :d)""",
        d=Date), params).scalar()


def _accounts_filter(statement_date, account_numbers):
    # a closed account is charged nothing new: its final statement was its last (closure.py)
    params = {"d": statement_date}
    if account_numbers is not None:
        params["numbers"] = list(account_numbers)
        return "a.account_number IN :numbers AND a.status <> 'closed'", params
    params["day"] = statement_date.day
    return "a.bill_cycle_day = :day AND a.status <> 'closed'", params


def _claim(session, statement_date, account_numbers):
    where, params = _accounts_filter(statement_date, account_numbers)
    lock = " FOR UPDATE SKIP LOCKED" if session.bind.dialect.name == "postgresql" else ""
    statement = _typed(f"""
        SELECT a.id FROM accounts a WHERE {where} AND NOT EXISTS (
            SELECT 1 FROM statements s WHERE s.account_id = a.id AND s.statement_date = :d)
        ORDER BY a.id LIMIT {BATCH}{lock}""", d=Date)
    if account_numbers is not None:
        statement = statement.bindparams(bindparam("numbers", expanding=True))
    return [row[0] for row in session.execute(statement, params)]


def issue_batch(tx, statement_date, account_numbers=None, now=None, usage_from=None):
    """Claim and bill one batch of accounts in ``tx``; returns ``(claimed, issued)``.

    ``issued`` is below ``claimed`` only when another replica billed some of them meanwhile.
    ``usage_from``: where the usage period starts (default a month before the statement
    date); a final statement (closure.py) bills from the last statement's date.
    """
    session = tx.session
    ids = _claim(session, statement_date, account_numbers)
    if not ids:
        return 0, 0
    now = now or clock.now()
    batch = str(uuid.uuid4())
    start = usage_from or period_start(statement_date)
    p = {"b": batch, "d": statement_date, "ps": start, "pe": statement_date,
         "due": due_date(statement_date), "now": now, "ids": ids,
         "ts": datetime.combine(start, time(), timezone.utc),
         "te": datetime.combine(statement_date, time(), timezone.utc),
         "prefix": statement_date.strftime("%y%m%d")}
    types = dict(d=Date, ps=Date, pe=Date, due=Date, now=DateTime(timezone=True),
                 ts=DateTime(timezone=True), te=DateTime(timezone=True))
    for sql in _STATEMENTS:
        statement = _typed(sql, **{k: v for k, v in types.items() if f":{k}" in sql})
        if ":ids" in sql:
            statement = statement.bindparams(bindparam("ids", expanding=True))
        session.execute(statement, {k: v for k, v in p.items() if f":{k}" in sql})
    issued = session.execute(text("""
        SELECT a.account_number, s.invoice_number, s.statement_date, s.due_date,
               s.amount_due_cents, s.currency, a.invoice_delivery,
               COALESCE(a.invoice_email, a.email) AS delivery_email
        FROM statements s JOIN accounts a ON a.id = s.account_id WHERE s.batch = :b""")
        .columns(statement_date=Date, due_date=Date), {"b": batch}).mappings().all()
    events.emit_many(tx, "statement_issued", [dict(row) for row in issued])
    return len(ids), len(issued)


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
_STATEMENTS = [
    # the statements themselves; the unique (account, date) makes a second issue a no-op
    """INSERT INTO statements (account_id, invoice_number, statement_date, period_start,
           period_end, due_date, currency, previous_balance_cents, payments_cents,
           adjustments_cents, new_charges_cents, amount_due_cents, batch, issued_at)
       SELECT a.id, :prefix || CAST(a.id + 10000000 AS VARCHAR(12)), :d, :ps, :pe, :due, 'USD',
              0, 0, 0, 0, 0, :b, :now
       FROM accounts a WHERE a.id IN :ids
       ON CONFLICT DO NOTHING""",
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
    # payments, credits and fees posted since the last statement appear on this one
    """UPDATE ledger_entries SET statement_id = (
           SELECT s.id FROM statements s
           WHERE s.batch = :b AND s.account_id = ledger_entries.account_id)
       WHERE statement_id IS NULL
         AND account_id IN (SELECT account_id FROM statements WHERE batch = :b)""",
    # the new charges enter the ledger as one charge
    """INSERT INTO ledger_entries (account_id, entry_date, kind, description, amount_cents,
           reference, statement_id, posted_at)
       SELECT s.account_id, :d, 'charge', 'New charges, statement ' || s.invoice_number,
              COALESCE(sum(l.amount_cents), 0), s.invoice_number, s.id, :now
       FROM statements s LEFT JOIN statement_lines l ON l.statement_id = s.id
       WHERE s.batch = :b GROUP BY s.id, s.account_id, s.invoice_number""",
    # the printed totals: amount due is the ledger's balance of everything on a statement
    """UPDATE statements SET
           new_charges_cents = COALESCE((SELECT sum(l.amount_cents) FROM statement_lines l
                                         WHERE l.statement_id = statements.id), 0),
           payments_cents = COALESCE((SELECT -sum(e.amount_cents) FROM ledger_entries e
                                      WHERE e.statement_id = statements.id
                                        AND e.kind = 'payment'), 0),
           adjustments_cents = COALESCE((SELECT sum(e.amount_cents) FROM ledger_entries e
                                         WHERE e.statement_id = statements.id
                                           AND e.kind NOT IN ('payment', 'charge')), 0),
           amount_due_cents = COALESCE((SELECT sum(e.amount_cents) FROM ledger_entries e
                                        WHERE e.account_id = statements.account_id
                                          AND e.statement_id IS NOT NULL), 0)
       WHERE batch = :b""",
    """UPDATE statements SET previous_balance_cents =
           amount_due_cents - new_charges_cents + payments_cents - adjustments_cents
       WHERE batch = :b""",
]


def load_request(payload):
    """Validate a staff bill-run request: ``{statement_date, account_numbers?}``."""
    return contracts.load(BillRunRequest, payload)
