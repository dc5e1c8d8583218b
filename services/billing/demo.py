"""The demo account `make run` seeds into an empty data folder: services, a few months of
calls, statements and payments, so a newcomer sees a real bill."""
import random
from datetime import datetime, time, timedelta, timezone

from services.billing import accounts, bill_runs, ledger, usage
from services.runtime import clock

DEMO_ACCOUNT = {
    "company_name": "Harbor Street Dental, LLC",
    "contact_name": "Dana Whitfield",
    "email": "office@harborstreetdental.example",
    "phone": "+1 415 555 0142",
    "billing_address": {"line1": "220 Harbor Street", "line2": "Suite 4", "city": "San Francisco",
                        "state": "CA", "postal_code": "94111"},
    "bill_cycle_day": 1,
    "services": [{"code": "INT-1G", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 3},
                 {"code": "STATIC-IP-1", "quantity": 1}, {"code": "TV-ESSENTIAL", "quantity": 1}],
}
MONTHS = 4
LINES = ("+14155550142", "+14155550143", "+14155550144")
DESTINATIONS = {"local": ("+14155550188", "+14155550199", "+15105550123"),
                "long_distance": ("+12125550147", "+13125550100", "+16175550111"),
                "international": ("+442071234567", "+525512345678", "+81312345678")}


def statement_dates(today, months=MONTHS):
    """The cycle's last ``months`` statement dates, oldest first; the latest is today (or the
    28th), so the newest bill is current, not past due."""
    dates, current = [], today.replace(day=min(today.day, 28))
    for _ in range(months):
        dates.append(current)
        current = bill_runs.period_start(current)
    return list(reversed(dates))


def demo_calls(start, end, rng):
    calls, day = [], start
    while day < end:
        if day.weekday() < 5:
            for _ in range(rng.randint(1, 4)):
                kind = rng.choices(("local", "long_distance", "international"), (6, 3, 1))[0]
                started = datetime.combine(day, time(rng.randint(14, 23), rng.randint(0, 59)),
                                           timezone.utc)
                calls.append({"started_at": started.isoformat(), "from_number": rng.choice(LINES),
                              "to_number": rng.choice(DESTINATIONS[kind]), "call_type": kind,
                              "duration_seconds": rng.randint(20, 1500)})
        day += timedelta(days=1)
    return calls


def seed(db, kek, today=None):
    """Open the demo account through the same rules as the staff API (its key sealed under
    ``kek``), then give it calls, statements and payments; returns its number and key."""
    today = today or clock.today()
    rng = random.Random(20261124)
    data = accounts.load_request({**DEMO_ACCOUNT, "bill_cycle_day": min(today.day, 28)})
    with db.transaction() as tx:
        account, key = accounts.open_account(tx.session, data, kek)
        tx.emit("account_opened", accounts.opened_event(account))
    number = account.account_number
    dates = statement_dates(today)
    for index, statement_date in enumerate(dates):
        rows = usage.validate({"calls": demo_calls(bill_runs.period_start(statement_date),
                                                   statement_date, rng)})
        with db.transaction() as tx:
            usage.load(tx.session, number, rows)
        bill_runs.run(db, statement_date, [number])
        if index < len(dates) - 1:  # every statement but the latest was paid on time
            _pay(db, number, statement_date + timedelta(days=12))
    return {"account_number": number, "security_key": key}


def _pay(db, number, paid_on):
    with db.transaction() as tx:
        due = ledger.balance(tx.session, usage.account_id(tx.session, number))
        ledger.apply_payment(tx, {
            "account_number": number, "payment_id": f"demo-{number}-{paid_on.isoformat()}",
            "amount_cents": due, "currency": "USD", "method_type": "card", "last4": "4242"},
            now=datetime.combine(paid_on, time(17, 30), timezone.utc))


