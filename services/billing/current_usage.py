"""This month, so far: the next statement as it stands now, rated by the bill run's own SQL.

The estimate opens the account's next statement row and rates it with statement_rating
(the statements the bill run itself runs) inside a savepoint, reads the lines, and rolls the
savepoint back: nothing is kept, no event is written, and the estimate is the statement the
next bill run would issue for the same records, to the cent. The next statement date is the
one service changes use (service_changes.current_period).
"""
import uuid

from sqlalchemy import Date, bindparam, func, select, text

from services.billing import fees, queries, service_changes, statement_rating
from services.billing.models import Call
from services.contracts.billing import CALL_TYPES
from services.runtime import clock

_USAGE_DESCRIPTIONS = {description: call_type
                       for call_type, (_, description) in fees.USAGE_LINES.items()}


def rated_lines(session, account_id, statement_date, now):
    """The lines ``[{section, position, description, quantity, amount_cents}]`` the bill run
    would give the account's statement of ``statement_date`` now, in print order."""
    savepoint = session.begin_nested()
    try:
        batch = str(uuid.uuid4())
        statement_rating.execute(session, statement_rating.OPEN + statement_rating.LINES,
                                 statement_rating.params(batch, statement_date, [account_id], now))
        rows = session.execute(text("""
            SELECT l.section, l.position, l.description, l.quantity, l.amount_cents
            FROM statement_lines l JOIN statements s ON s.id = l.statement_id
            WHERE s.batch = :b ORDER BY l.position, l.id"""), {"b": batch}).mappings().all()
        return [dict(row) for row in rows]
    finally:
        savepoint.rollback()


def is_usage_line(line):
    return line["section"] == "voice" and line["description"] in _USAGE_DESCRIPTIONS


def _seconds(session, account_id, p):
    rows = session.execute(select(Call.call_type, func.sum(Call.duration_seconds))
                           .where(Call.account_id == account_id, Call.started_at >= p["ts"],
                                  Call.started_at < p["te"]).group_by(Call.call_type))
    return {call_type: int(total or 0) for call_type, total in rows}


def _daily(session, account_id, p):
    # the day of each call in UTC, the zone the bill run's period is cut in
    day = ("CAST(started_at AT TIME ZONE 'UTC' AS DATE)"
           if session.bind.dialect.name == "postgresql" else "date(started_at)")
    rows = session.execute(text(f"""
        SELECT {day} AS day, count(*) AS calls, sum(charge_cents) AS charge_cents
        FROM calls WHERE account_id = :a AND started_at >= :ts AND started_at < :te
        GROUP BY {day} ORDER BY 1""").bindparams(
        bindparam("ts", type_=statement_rating.TYPES["ts"]),
        bindparam("te", type_=statement_rating.TYPES["te"])).columns(day=Date),
        {"a": account_id, "ts": p["ts"], "te": p["te"]}).mappings().all()
    return [{"date": str(row["day"])[:10], "calls": row["calls"],
             "charge_cents": int(row["charge_cents"] or 0)} for row in rows]


def estimate(session, account_number, now=None):
    """``{account_number, period_start, period_end, statement_date, as_of, usage: [{call_type,
    calls, seconds, charge_cents}], daily: [{date, calls, charge_cents}], services_cents,
    usage_cents, estimated_taxes_cents, estimated_total_cents, currency}`` for the account's
    next statement. Raises NotFound."""
    now = now or clock.now()
    account = queries.account(session, account_number)
    period, _ = service_changes.current_period(session, account, now.date())
    statement_date = period.end
    p = statement_rating.params(None, statement_date, [account.id], now)
    lines = rated_lines(session, account.id, statement_date, now)
    usage = {t: {"call_type": t, "calls": 0, "seconds": 0, "charge_cents": 0}
             for t in CALL_TYPES}
    for line in filter(is_usage_line, lines):
        entry = usage[_USAGE_DESCRIPTIONS[line["description"]]]
        entry["calls"], entry["charge_cents"] = line["quantity"], line["amount_cents"]
    for call_type, seconds in _seconds(session, account.id, p).items():
        usage[call_type]["seconds"] = seconds
    taxes = sum(line["amount_cents"] for line in lines if line["section"] == "taxes")
    usage_cents = sum(u["charge_cents"] for u in usage.values())
    total = sum(line["amount_cents"] for line in lines)
    return {"account_number": account.account_number,
            "period_start": p["ps"].isoformat(), "period_end": statement_date.isoformat(),
            "statement_date": statement_date.isoformat(), "as_of": now.isoformat(),
            "usage": list(usage.values()), "daily": _daily(session, account.id, p),
            "services_cents": total - taxes - usage_cents, "usage_cents": usage_cents,
            "estimated_taxes_cents": taxes, "estimated_total_cents": total,
            "currency": fees.CURRENCY}
