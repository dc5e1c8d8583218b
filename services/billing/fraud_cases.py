"""The toll-fraud guard's records: scoring each usage load as it is stored (fraud_rules),
one case per account and suspicious load, the account's international-calling block, and the
lists customers and staff read.

Once, whatever the delivery: ``guard_load`` runs in the load's own transaction and only when
the load stored new calls, so a redelivered request (its calls already stored) scores
nothing; the case's ``load_key`` (a digest of the load's calls) is unique per account, so two
replicas racing with the same load make one case and one event. The account's ``call_guards``
row is read under a row lock, so loads of one account learn one after the other.

Blocked international calling does not refuse usage: a call detail record is a call the
network carried, so it is stored and billed like any other, and an international call that
started after the block is flagged (rule ``international_while_blocked``): the block did not
hold, which is itself what the fraud team must see.
"""
import functools
import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from services.billing import fraud_rules, queries, time_zones
from services.billing.models import Account, CallGuard, FraudCase
from services.contracts import actor as actors
from services.contracts import paging
from services.contracts.errors import InvalidInput, NotFound
from services.contracts.fraud import STATUSES
from services.runtime import clock

PAGES = paging.Cursor("fraud_cases", paging.MOMENT, paging.text(36))  # (raised_at, id)


@dataclass(frozen=True)
class GuardSettings:
    """FRAUD_GUARD (on | off) and FRAUD_HIGH_COST_PREFIXES, read once per service."""
    enabled: bool = True
    destinations: fraud_rules.Destinations = fraud_rules.Destinations()

    @classmethod
    @functools.lru_cache(maxsize=8)  # the same two config values on every load
    def of(cls, guard, prefixes):
        return cls((guard or "on").lower() != "off", fraud_rules.Destinations.parse(prefixes))


def _guard(session, account_id):
    """The account's call_guards row, locked for this transaction (made on first use)."""
    def locked():
        return session.execute(select(CallGuard).where(CallGuard.account_id == account_id)
                               .with_for_update()).scalar()
    guard = locked()
    if guard is None:
        try:
            with session.begin_nested():
                session.add(CallGuard(account_id=account_id, profile={}))
        except IntegrityError:  # another load of this account made it first
            pass
        guard = locked()
    return guard


def load_key(rows):
    """What identifies a load: a digest of its calls' identities (as calls are unique)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(f"{row[0].isoformat()}|{row[1]}|{row[2]}\n".encode())
    return digest.hexdigest()


def guard_load(tx, account_number, rows, settings, now=None):
    """Scores ``rows`` (usage.validate's, just stored for the account) against the account's
    profile. A suspicious load becomes an open case and emits ``billing.fraud_suspected``
    (once per account and load); a clean one is learned. Returns the case id or None."""
    if not settings.enabled or not rows:
        return None
    session = tx.session
    account = session.execute(select(Account.id, Account.state).where(
        Account.account_number == account_number)).one()
    guard = _guard(session, account.id)
    blocked = guard.international_blocked_at
    figures = fraud_rules.measure(rows, time_zones.zone(account.state), settings.destinations,
                                  clock.as_utc(blocked) if blocked else None)  # SQLite: naive
    verdict = fraud_rules.score(figures, guard.profile or {})
    if not verdict.suspicious:
        guard.profile = fraud_rules.learn(guard.profile or {}, verdict.learned)
        return None
    now = now or clock.now()
    case = FraudCase(id=str(uuid.uuid4()), account_id=account.id, load_key=load_key(rows),
                     score=verdict.score, rules=list(verdict.rules), evidence=verdict.evidence,
                     learned=verdict.learned, calls=len(rows), status="open", raised_at=now)
    try:
        with session.begin_nested():
            session.add(case)
    except IntegrityError:  # this load's case exists already (uq_fraud_cases_load)
        return None
    tx.emit("fraud_suspected", {
        "account_number": account_number, "case_id": case.id, "score": case.score,
        "rules": case.rules, "evidence": case.evidence, "calls": case.calls,
        "raised_at": clock.iso(now)})
    return case.id


def _public(case, account_number):
    return {"id": case.id, "account_number": account_number, "score": case.score,
            "rules": list(case.rules), "evidence": case.evidence, "calls": case.calls,
            "status": case.status, "raised_at": clock.iso(case.raised_at),
            "marked_at": clock.iso(case.marked_at) if case.marked_at else None}


def _page(session, where, limit, cursor):
    limit = paging.checked_limit(limit)
    query = (select(FraudCase, Account.account_number)
             .join(Account, Account.id == FraudCase.account_id).where(*where))
    if cursor:
        at, case_id = PAGES.decode(cursor)
        query = query.where(or_(FraudCase.raised_at < at,
                                and_(FraudCase.raised_at == at, FraudCase.id < case_id)))
    found = session.execute(query.order_by(FraudCase.raised_at.desc(), FraudCase.id.desc())
                            .limit(limit + 1)).all()
    page = found[:limit]
    last = page[-1][0] if page else None
    return {"items": [_public(case, number) for case, number in page],
            "next_cursor": PAGES.encode(last.raised_at, last.id) if len(found) > limit
            else None}


def _status_filter(status):
    if status is None:
        return []
    if status not in STATUSES:
        raise InvalidInput({"status": [f"One of {', '.join(STATUSES)}."]})
    return [FraudCase.status == status]


def account_alerts(session, account_number, status=None, limit=20, cursor=None):
    """``{items, next_cursor}``: the account's cases (of one ``status``), newest first.
    Raises NotFound, InvalidInput."""
    found = queries.account(session, account_number)
    return _page(session, [FraudCase.account_id == found.id, *_status_filter(status)],
                 limit, cursor)


def staff_cases(session, status=None, limit=20, cursor=None):
    """``{items, next_cursor}`` over every account (of one ``status``), newest first."""
    return _page(session, _status_filter(status), limit, cursor)


def mark_expected(tx, account_number, case_id, actor=None, now=None):
    """An admin says the case's calls were the account's own: the case is ``expected`` (the
    banner goes) and its figures join the profile. Marking it again changes nothing.
    Returns the case. Raises NotFound (no such case on this account). Emits
    ``billing.fraud_case_marked_expected`` once."""
    session = tx.session
    account = queries.account(session, account_number)
    case = session.execute(select(FraudCase).where(
        FraudCase.id == str(case_id), FraudCase.account_id == account.id)).scalar()
    if case is None:
        raise NotFound("This account has no fraud alert with that id.")
    guard = _guard(session, account.id)  # the lock also orders two admins marking at once
    claimed = session.execute(update(FraudCase).where(
        FraudCase.id == case.id, FraudCase.status == "open").values(
        status="expected", marked_at=now or clock.now(),
        marked_by=actors.of(actor)["user_id"])).rowcount
    if claimed:
        guard.profile = fraud_rules.learn(guard.profile or {}, case.learned)
        tx.emit("fraud_case_marked_expected", dict(
            account_number=account.account_number, case_id=case.id,
            **actors.event_fields(actor)))
    session.refresh(case)
    return _public(case, account.account_number)


def _calling(account_number, guard):
    changed = guard.international_changed_at if guard else None
    return {"account_number": account_number,
            "blocked": bool(guard and guard.international_blocked_at),
            "changed_at": clock.iso(changed) if changed else None}


def international_calling(session, account_number):
    """``{account_number, blocked, changed_at}``. Raises NotFound."""
    account = queries.account(session, account_number)
    return _calling(account.account_number, session.get(CallGuard, account.id))


def set_international_calling(tx, account_number, blocked, actor=None, now=None):
    """Blocks (``blocked`` true) or allows international calling; returns the new state.
    Setting what is already set changes nothing and emits nothing. Raises NotFound. Emits
    ``billing.international_calling_changed`` for the network team."""
    account = queries.account(tx.session, account_number)
    guard = _guard(tx.session, account.id)
    if bool(guard.international_blocked_at) != bool(blocked):
        now = now or clock.now()
        guard.international_blocked_at = now if blocked else None
        guard.international_changed_at = now
        guard.international_changed_by = actors.of(actor)["user_id"]
        tx.emit("international_calling_changed", dict(
            account_number=account.account_number, blocked=bool(blocked),
            **actors.event_fields(actor)))
    return _calling(account.account_number, guard)
