"""Changing an account's services mid-period, with proration (proration.py), for staff and
for the account's admins (self-service products only).

A change sets absolute quantities (0 removes a product, a new code adds it), so a retried
request finds the quantities already set and records nothing more: no line, no event. The
account's row is locked first, so a bill run and a change of the same account go one after
the other, and the period is read under that lock.

Which dates are accepted: the period the last statement billed in advance, [its date, the
next cycle date]. Before it, the change would have to correct a statement already issued
(refused: "a billed period"); after the next cycle date, it belongs to a statement not yet
issued. An account never billed has paid nothing in advance: its change has no lines. A
change may not be dated before one already recorded (its credit would be for the wrong
quantity), and an admin's may not be dated before today.
"""
from datetime import timedelta

from sqlalchemy import func, select, update

from services import contracts
from services.billing import catalogue, fees, proration, queries
from services.billing.models import Account, AccountService, ServiceChange, ServiceChangeLine
from services.contracts import money
from services.contracts.billing import ServiceChangeRequest
from services.contracts.errors import InvalidInput, Refused
from services.runtime import clock


def load_request(payload):
    """Validate ``{effective_date?, changes: [{code, quantity}], preview?}``; unknown or
    repeated codes are field errors (InvalidInput)."""
    data = contracts.load(ServiceChangeRequest, payload)
    unknown = {i: [f"Unknown product code {line['code']!r}."]
               for i, line in enumerate(data["changes"]) if not catalogue.product(line["code"])}
    if unknown:
        raise InvalidInput({"changes": unknown})
    codes = [line["code"] for line in data["changes"]]
    if len(set(codes)) != len(codes):
        raise InvalidInput({"changes": ["Each product code may appear once."]})
    return data


def locked_account(session, account_number):
    # a no-op UPDATE before anything is read: the row lock on PostgreSQL (a bill run's SKIP
    # LOCKED claim passes it by), the write lock on SQLite (no stale snapshot to upgrade)
    session.execute(update(Account).where(Account.account_number == str(account_number))
                    .values(status=Account.status))
    return queries.account(session, account_number)  # NotFound


def current_period(session, account, today):
    """``(period, billed)``: the period a change may fall in, and whether its services were
    already billed in advance (a statement was issued at its start)."""
    latest = queries.latest_statement(session, account.id)
    if latest is not None:
        start = latest.statement_date
        return proration.Period(start, proration.next_cycle_date(start, account.bill_cycle_day)), True
    return proration.Period(account.opened_on,
                            proration.next_cycle_date(max(today, account.opened_on),
                                                      account.bill_cycle_day)), False


def _refuse_date(session, account, effective, period, billed, self_service, today):
    if billed and effective < period.start:
        raise Refused(f"{money.us_date(effective)} is in a billed period: the statement of "
                      f"{money.us_date(period.start)} is issued. Date the change on or after "
                      f"{money.us_date(period.start)}.")
    if effective < period.start:
        raise Refused("A change cannot be dated before the account was opened "
                      f"({money.us_date(period.start)}).")
    if effective > period.end:
        raise Refused(f"A change can be dated up to the next statement, "
                      f"{money.us_date(period.end)}.")
    if self_service and effective < today:
        raise Refused("A change cannot be dated in the past.")
    latest = session.execute(select(func.max(ServiceChange.effective_date)).where(
        ServiceChange.account_id == account.id)).scalar()
    if latest is not None and effective < latest:
        raise Refused(f"A change dated {money.us_date(latest)} is already recorded: date this "
                      "one on or after it.")


def _description(product, line, period):
    days = f"{period.days_left(line.start)} of {period.days} days"
    span = f"{money.us_date(line.start)} to {money.us_date(line.end - timedelta(days=1))}"
    if line.kind == "credit":
        return f"{product.name}: credit, unused {span} ({days})"
    return f"{product.name}: {span} ({days})"


def change_services(session, account_number, data, self_service=False, actor=None,
                    today=None, now=None):
    """Preview or make a change; returns ``(answer, event)``. ``event`` is the
    ``billing.services_changed`` payload, None for a preview or when nothing changed.
    Raises NotFound, Refused (dates, a product that is not self-service for an admin)."""
    today = today or clock.today()
    account = locked_account(session, account_number)
    effective = data.get("effective_date") or today
    if account.status == "closed":
        raise Refused("This account is closed: its services ended with its final statement "
                      "and cannot be changed.")
    if self_service and account.status != "active":
        raise Refused(f"This account is {account.status}: its services cannot be changed "
                      "online. Call support.")
    if self_service:
        staff_only = [line["code"] for line in data["changes"]
                      if not catalogue.product(line["code"]).self_service]
        if staff_only:
            raise Refused(f"{', '.join(staff_only)} cannot be changed online: call support.")
    period, billed = current_period(session, account, today)
    _refuse_date(session, account, effective, period, billed, self_service, today)
    held = {s.product_code: s for s in account.services}
    changes, lines = [], []
    for asked in data["changes"]:
        product = catalogue.product(asked["code"])
        service = held.get(product.code)
        old = service.quantity if service else 0
        if old == asked["quantity"]:
            continue
        monthly = service.monthly_cents if service else product.monthly_cents
        changes.append({"code": product.code, "name": product.name, "section": product.section,
                        "old_quantity": old, "new_quantity": asked["quantity"],
                        "monthly_cents": monthly})
        if billed:
            lines += [(product, line) for line in proration.lines_for(
                product.code, old, asked["quantity"], monthly, period, effective)]
    answer = _answer(session, account, effective, period, billed, changes, lines, held,
                     data["preview"])
    if data["preview"] or not changes:
        return answer, None
    _record(session, account, effective, period, changes, lines, self_service, actor, now)
    return answer, _event(account, effective, changes, lines, self_service, actor)


def _answer(session, account, effective, period, billed, changes, lines, held, preview):
    after = {code: (s.quantity, s.monthly_cents) for code, s in held.items()}
    for change in changes:
        after[change["code"]] = (change["new_quantity"], change["monthly_cents"])
    waiting = session.execute(select(func.coalesce(func.sum(ServiceChangeLine.amount_cents), 0))
                              .where(ServiceChangeLine.account_id == account.id,
                                     ServiceChangeLine.statement_id.is_(None))).scalar()
    changes_cents = sum(line.amount_cents for _, line in lines)
    monthly = sum(quantity * price for quantity, price in after.values())
    return {
        "account_number": account.account_number, "preview": preview,
        "effective_date": effective.isoformat(),
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                   "days": period.days, "days_left": period.days_left(effective),
                   "billed": billed},
        "changes": [{k: c[k] for k in ("code", "name", "old_quantity", "new_quantity",
                                        "monthly_cents")} for c in changes],
        "lines": [{"code": product.code, "section": product.section, "kind": line.kind,
                   "description": _description(product, line, period),
                   "quantity": line.quantity, "amount_cents": line.amount_cents,
                   "starts_on": line.start.isoformat(), "ends_on": line.end.isoformat()}
                  for product, line in lines],
        "next_statement": {
            "statement_date": period.end.isoformat(), "services_cents": monthly,
            "prorated_cents": waiting + changes_cents,
            "estimate_cents": monthly + waiting + changes_cents, "currency": fees.CURRENCY},
    }


def _record(session, account, effective, period, changes, lines, self_service, actor, now):
    now = now or clock.now()
    change = ServiceChange(account_id=account.id, effective_date=effective,
                           period_start=period.start, period_end=period.end,
                           requested_by="customer" if self_service else "staff",
                           actor_user_id=(actor or {}).get("user_id"), created_at=now)
    session.add(change)
    session.flush()
    for product, line in lines:
        session.add(ServiceChangeLine(
            change_id=change.id, account_id=account.id, product_code=product.code,
            kind=line.kind, section=product.section,
            position=fees.product_position(product.code),
            description=_description(product, line, period), quantity=line.quantity,
            amount_cents=line.amount_cents, starts_on=line.start, ends_on=line.end))
    held = {s.product_code: s for s in account.services}
    for c in changes:
        service = held.get(c["code"])
        if c["new_quantity"] == 0:
            account.services.remove(service)
        elif service is None:
            account.services.append(AccountService(product_code=c["code"],
                                                   quantity=c["new_quantity"],
                                                   monthly_cents=c["monthly_cents"]))
        else:
            service.quantity = c["new_quantity"]
    session.flush()


def _event(account, effective, changes, lines, self_service, actor):
    return {"account_number": account.account_number, "effective_date": effective,
            "changes": [{k: c[k] for k in ("code", "old_quantity", "new_quantity")}
                        for c in changes],
            "credit_cents": sum(l.amount_cents for _, l in lines if l.kind == "credit"),
            "charge_cents": sum(l.amount_cents for _, l in lines if l.kind == "charge"),
            "requested_by": "customer" if self_service else "staff",
            "actor_user_id": (actor or {}).get("user_id"), "ip": (actor or {}).get("ip")}


def services(session, account_number):
    """What the account has: ``{account_number, items: [{code, name, section, quantity,
    monthly_cents, self_service}], monthly_cents, currency, self_service_products:
    [product], next_statement_date}``."""
    account = queries.account(session, account_number)
    items = []
    for service in sorted(account.services, key=lambda s: fees.product_position(s.product_code)):
        product = catalogue.product(service.product_code)
        items.append({"code": service.product_code,
                      "name": product.name if product else service.product_code,
                      "section": product.section if product else "add-ons",
                      "quantity": service.quantity, "monthly_cents": service.monthly_cents,
                      "self_service": bool(product and product.self_service)})
    period, _ = current_period(session, account, clock.today())
    return {"account_number": account.account_number, "items": items,
            "monthly_cents": sum(i["quantity"] * i["monthly_cents"] for i in items),
            "currency": fees.CURRENCY,
            "self_service_products": [p.public() for p in catalogue.PRODUCTS if p.self_service],
            "next_statement_date": period.end.isoformat()}
