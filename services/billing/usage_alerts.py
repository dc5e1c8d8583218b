"""Usage alerts: an account's thresholds and bill-shock warning, checked after each usage load.

The cycle is the one today falls in, the period the next bill run will bill
(``bill_runs.period_start`` of the next statement date: [that, statement date)), and its usage
charges are what that run will put on the statement: the sum of the calls' ``charge_cents``
(rated on load by ``rating.charge_cents``) over the period, the bill run's own usage query.

A threshold is crossed when the cycle's usage charges reach it. Bill shock: the cycle so far
is above BILL_SHOCK_PERCENT of the average usage of the last three statements; an account
with fewer than three statements, or whose three had no usage charges, has no baseline and
gets no bill-shock warning (its thresholds still apply). Each alert is one row of
``usage_alert_notices`` (account, cycle, kind, threshold) inserted with ON CONFLICT DO NOTHING
and its event emitted only when the row is new, in the load's own transaction; the account's
row is locked before the sum, so two loads of one account (two replicas) queue there and the
second sees the first's calls.
"""
from datetime import datetime, time, timezone

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services import contracts
from services.billing import accounts, bill_runs, fees, proration
from services.billing.models import Account, UsageAlertNotice, UsageAlertSetting
from services.billing.usage import account_id
from services.contracts.usage_alerts import BILL_SHOCK_PERCENT, UsageAlerts
from services.runtime import clock

BASELINE_STATEMENTS = 3
DEFAULTS = {"thresholds_cents": [], "bill_shock": True}
# the statement lines the bill run writes for usage (statement_rating.py: fees.usage_position_sql)
USAGE_POSITIONS = tuple(fees.SECTION_RANK["voice"] * 1000 + position
                        for position, _ in fees.USAGE_LINES.values()) + (1999,)


# --- the rules, on plain data ---

def cycle(today, bill_cycle_day):
    """``(start, end)`` of the cycle ``today`` is in: end is the next statement date after
    today (a statement dated today bills the days before it), start one month before."""
    end = proration.next_cycle_date(today, bill_cycle_day)
    return bill_runs.period_start(end), end


def crossed(thresholds_cents, usage_cents):
    """The thresholds the usage charges have reached."""
    return [t for t in thresholds_cents if usage_cents >= t]


def baseline(statement_usages):
    """The average usage of the last three statements (rounded half up), or None without
    three or when they had none."""
    if len(statement_usages) < BASELINE_STATEMENTS or sum(statement_usages) <= 0:
        return None
    total = sum(statement_usages[:BASELINE_STATEMENTS])
    return (2 * total + BASELINE_STATEMENTS) // (2 * BASELINE_STATEMENTS)


def is_bill_shock(statement_usages, usage_cents):
    """Above BILL_SHOCK_PERCENT of the baseline, compared exactly (no rounded average)."""
    if baseline(statement_usages) is None:
        return False
    total = sum(statement_usages[:BASELINE_STATEMENTS])
    return usage_cents * 100 * BASELINE_STATEMENTS > BILL_SHOCK_PERCENT * total


# --- settings ---

def _settings(row):
    if row is None:
        return dict(DEFAULTS)
    return {"thresholds_cents": [int(t) for t in row.thresholds_cents.split(",") if t],
            "bill_shock": row.bill_shock}


def get_settings(session, account_number):
    """``{thresholds_cents, bill_shock}``. Raises NotFound."""
    return _settings(session.get(UsageAlertSetting, account_id(session, account_number)))


def put_settings(session, account_number, payload, user_id=None):
    """Replaces the account's usage alerts; returns them. Raises InvalidInput (nothing
    changed), NotFound."""
    data = contracts.load(UsageAlerts, payload)
    owner = account_id(session, account_number)
    row = session.get(UsageAlertSetting, owner)
    if row is None:
        row = UsageAlertSetting(account_id=owner)
        session.add(row)
    row.thresholds_cents = ",".join(str(t) for t in data["thresholds_cents"])
    row.bill_shock = data["bill_shock"]
    row.updated_by, row.updated_at = user_id, clock.now()
    session.flush()
    return _settings(row)


# --- after a load ---

def _statement_usages(session, owner):
    """The usage charges of the account's last three statements, newest first."""
    rows = session.execute(text(f"""
        SELECT s.id, COALESCE(sum(CASE WHEN l.section = 'voice' AND l.position IN
                   ({", ".join(str(p) for p in USAGE_POSITIONS)}) THEN l.amount_cents END), 0)
        FROM statements s LEFT JOIN statement_lines l ON l.statement_id = s.id
        WHERE s.id IN (SELECT id FROM statements WHERE account_id = :a
                       ORDER BY statement_date DESC LIMIT {BASELINE_STATEMENTS})
        GROUP BY s.id, s.statement_date ORDER BY s.statement_date DESC"""), {"a": owner}).all()
    return [int(row[1]) for row in rows]


def cycle_usage_cents(session, owner, start, end):
    """The cycle's usage charges: the bill run's usage query (statement_rating.py) for one
    account."""
    return int(session.execute(text("""
        SELECT COALESCE(sum(c.charge_cents), 0) FROM calls c
        WHERE c.account_id = :a AND c.started_at >= :ts AND c.started_at < :te"""), {
        "a": owner, "ts": datetime.combine(start, time(), timezone.utc),
        "te": datetime.combine(end, time(), timezone.utc)}).scalar())


def _raise_once(tx, owner, start, kind, threshold, usage_cents):
    """True when this alert is new (its row inserted now)."""
    insert = pg_insert if tx.session.bind.dialect.name == "postgresql" else sqlite_insert
    result = tx.session.execute(insert(UsageAlertNotice).values(
        account_id=owner, cycle_start=start, kind=kind, threshold_cents=threshold,
        usage_cents=usage_cents, raised_at=clock.now()).on_conflict_do_nothing())
    return result.rowcount == 1


def review(tx, account_number, accepted=1):
    """After a load that stored ``accepted`` new calls: raises each alert the account's cycle
    now calls for, once a cycle. Emits ``billing.usage_threshold_crossed`` per alert raised."""
    if not accepted:  # nothing new: nothing can have been crossed
        return []
    session = tx.session
    account = accounts.locked(session, select(Account).where(
        Account.account_number == str(account_number)))
    if account is None:
        return []
    owner, cycle_day = account.id, account.bill_cycle_day
    wanted = _settings(session.get(UsageAlertSetting, owner))
    usages = _statement_usages(session, owner) if wanted["bill_shock"] else []
    if not wanted["thresholds_cents"] and baseline(usages) is None:
        return []  # nothing to check: no thresholds, no baseline
    start, end = cycle(clock.today(), cycle_day)
    usage_cents = cycle_usage_cents(session, owner, start, end)
    alerts = [("threshold", t, t) for t in crossed(wanted["thresholds_cents"], usage_cents)]
    if is_bill_shock(usages, usage_cents):
        alerts.append(("bill_shock", 0, None))
    raised = []
    for kind, key, threshold in alerts:
        if _raise_once(tx, owner, start, kind, key, usage_cents):
            raised.append(tx.emit("usage_threshold_crossed", {
                "account_number": account_number, "kind": kind, "threshold_cents": threshold,
                "usage_cents": usage_cents, "baseline_cents": baseline(usages),
                "cycle_start": start, "cycle_end": end, "currency": "USD"}))
    return raised

