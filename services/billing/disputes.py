"""Disputes of statement lines: a customer (admin or billing user) disputes up to a line's
amount, once per line, on one of the account's two latest statements; while the dispute is
open that amount is kept out of late fees (ledger.assess_late_fees) and out of the autopay
draft (queries.payment_allowance's ``amount_due_cents``); staff credit it (through credits.post: the money is that ledger entry)
or reject it, once. A dispute moves no money by itself."""
import uuid

from sqlalchemy import and_, func, or_, select, update

from services import contracts
from services.billing import credits, fees, queries
from services.billing.models import (Account, CreditNote, Dispute, LedgerEntry, Statement,
                                     StatementLine)
from services.contracts import actor as actors
from services.contracts import paging
from services.contracts.disputes import DisputeRequest, ResolutionRequest
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.runtime import clock

CREDIT_REASON_CHARS = 100  # contracts.credits.REASON_CHARS
ONE_OPEN = "This line already has an open dispute; it will be answered before another."
ANSWERED = ("This line's dispute was answered already ({status}): a line is disputed once. "
            "Contact us if something is still wrong.")
# a statement may be disputed until the one after its next is issued (about 60 days, the
# window card issuers give): an open dispute holds its amount back from late fees and the
# autopay draft, so lines of long-paid statements must not keep this month's bill back
OPEN_STATEMENTS = 2
TOO_OLD = ("Only the latest two statements can be disputed. Contact us about an older "
           "charge.")


def _listing():
    credited = (select(CreditNote.id, (-LedgerEntry.amount_cents).label("cents"))
                .join(LedgerEntry, LedgerEntry.id == CreditNote.ledger_entry_id).subquery())
    return (select(Dispute, Account.account_number, Statement.invoice_number,
                   StatementLine.description, credited.c.cents)
            .join(Account, Account.id == Dispute.account_id)
            .join(Statement, Statement.id == Dispute.statement_id)
            .join(StatementLine, StatementLine.id == Dispute.line_id)
            .outerjoin(credited, credited.c.id == Dispute.credit_id))


def _public(row):
    dispute = row[0]
    return {"id": dispute.id, "account_number": row.account_number,
            "invoice_number": row.invoice_number, "line_id": str(dispute.line_id),
            "line_description": row.description, "amount_cents": dispute.amount_cents,
            "currency": fees.CURRENCY, "reason": dispute.reason, "status": dispute.status,
            "opened_at": clock.iso(dispute.opened_at),
            "resolved_at": clock.iso(dispute.resolved_at) if dispute.resolved_at else None,
            "resolution_note": dispute.resolution_note, "credited_cents": row.cents,
            "credit_id": dispute.credit_id}


PAGES = paging.Cursor("disputes", paging.MOMENT, paging.text(36))  # (opened_at, id)


def _page(session, where, limit, cursor):
    limit = paging.checked_limit(limit)
    query = _listing().where(*where)
    if cursor:
        at, dispute_id = PAGES.decode(cursor)
        query = query.where(or_(Dispute.opened_at < at,
                                and_(Dispute.opened_at == at, Dispute.id < dispute_id)))
    found = session.execute(query.order_by(Dispute.opened_at.desc(), Dispute.id.desc())
                            .limit(limit + 1)).all()
    page = found[:limit]
    last = page[-1][0] if page else None
    return {"items": [_public(row) for row in page],
            "next_cursor": PAGES.encode(last.opened_at, last.id) if len(found) > limit
            else None}


def account_disputes(session, account_number, limit=20, cursor=None, invoice_number=None):
    """``{items, next_cursor}`` of the account's disputes, newest first (of one statement
    when ``invoice_number`` is given). Raises NotFound, InvalidInput (``limit``, ``cursor``:
    contracts.paging)."""
    found = queries.account(session, account_number)
    where = [Dispute.account_id == found.id]
    if invoice_number is not None:
        where.append(Statement.invoice_number == str(invoice_number))
    return _page(session, where, limit, cursor)


def staff_disputes(session, status=None, limit=20, cursor=None):
    """``{items, next_cursor}`` of every account's disputes (of one ``status``), newest
    first."""
    if status is not None and status not in ("open", "credited", "rejected"):
        raise InvalidInput({"status": ["One of open, credited, rejected."]})
    return _page(session, [Dispute.status == status] if status else [], limit, cursor)


def open_disputes(session, account_id):
    """The account's open disputes (the staff overview), newest first."""
    return [_public(row) for row in session.execute(_listing().where(
        Dispute.account_id == account_id, Dispute.status == "open")
        .order_by(Dispute.opened_at.desc(), Dispute.id.desc()).limit(100)).all()]


def disputed_cents(session, account_id):
    """What the account's open disputes hold back from late fees and autopay."""
    return int(session.execute(select(func.coalesce(func.sum(Dispute.amount_cents), 0)).where(
        Dispute.account_id == account_id, Dispute.status == "open")).scalar())


def _one(session, dispute_id):
    row = session.execute(_listing().where(Dispute.id == str(dispute_id))).first()
    if row is None:
        raise NotFound("No dispute has that id.")
    return row


def open_dispute(tx, account_number, invoice_number, request, actor=None, now=None):
    """A dispute of one line of one of the account's two latest statements ``{line_id,
    amount_cents, reason}``; returns it (contracts.disputes.Dispute). Raises InvalidInput,
    NotFound (the account, the statement, a line not on it), Refused (an older statement,
    more than the line's amount, a line of nothing), Conflict (the line has, or had, a
    dispute: one per line). Emits ``billing.dispute_opened``."""
    now = now or clock.now()
    data = contracts.load(DisputeRequest, request)
    account, statement = queries.statement_row(tx.session, account_number, invoice_number)
    line = tx.session.execute(select(StatementLine).where(
        StatementLine.id == int(data["line_id"]),
        StatementLine.statement_id == statement.id)).scalar()
    if line is None:
        raise NotFound("This statement has no line with that id.")
    latest = tx.session.execute(select(Statement.id).where(
        Statement.account_id == account.id).order_by(
        Statement.statement_date.desc(), Statement.id.desc()).limit(OPEN_STATEMENTS)).scalars()
    if statement.id not in set(latest):
        raise Refused(TOO_OLD)
    if line.amount_cents <= 0:
        raise Refused("This line charges nothing: there is nothing to dispute.")
    if data["amount_cents"] > line.amount_cents:
        raise Refused(f"At most the line's amount can be disputed "
                      f"({line.amount_cents} cents).")
    # once per line: again after a credit would credit it twice over, and again after a
    # rejection would hold its amount back for ever, one dispute after another
    earlier = tx.session.execute(select(Dispute.status).where(
        Dispute.line_id == line.id).order_by(Dispute.opened_at.desc())).scalars().first()
    if earlier == "open":
        raise Conflict(ONE_OPEN)
    if earlier is not None:
        raise Conflict(ANSWERED.format(status=earlier))
    who = actors.of(actor)
    dispute = Dispute(id=str(uuid.uuid4()), account_id=account.id, statement_id=statement.id,
                      line_id=line.id, amount_cents=data["amount_cents"], reason=data["reason"],
                      status="open", opened_by=who["user_id"], opened_at=now)
    tx.session.add(dispute)
    tx.session.flush()  # a racing dispute of the same line fails here (uq_disputes_open_line)
    tx.emit("dispute_opened", dict(
        account_number=account.account_number, dispute_id=dispute.id,
        invoice_number=statement.invoice_number, line_id=str(line.id),
        amount_cents=dispute.amount_cents, reason=dispute.reason, **actors.event_fields(actor)))
    return _public(_one(tx.session, dispute.id))


def resolve(tx, dispute_id, request, actor=None, now=None):
    """Staff's answer to an open dispute ``{outcome: credited|rejected, amount_cents?,
    note}``: credited posts a credit of ``amount_cents`` (the whole disputed amount when left
    out) through credits.post. Returns the dispute. Raises InvalidInput, NotFound, Refused
    (a credit above the disputed amount), Conflict (already resolved). Emits
    ``billing.dispute_resolved`` (and ``billing.credit_issued`` when credited)."""
    now = now or clock.now()
    data = contracts.load(ResolutionRequest, request)
    row = _one(tx.session, dispute_id)
    dispute = row[0]
    if dispute.status != "open":
        raise Conflict(f"This dispute was already resolved ({dispute.status}).")
    amount = data["amount_cents"] or dispute.amount_cents
    if data["outcome"] == "credited" and amount > dispute.amount_cents:
        raise Refused(f"At most the disputed amount can be credited "
                      f"({dispute.amount_cents} cents).")
    # the claim: of two resolutions racing, one changes the row and the other nothing
    claimed = tx.session.execute(update(Dispute).where(
        Dispute.id == dispute.id, Dispute.status == "open").values(
        status=data["outcome"], resolved_at=now, resolution_note=data["note"])).rowcount
    if claimed != 1:
        raise Conflict("This dispute was already resolved.")
    credit = None
    if data["outcome"] == "credited":
        account = tx.session.get(Account, dispute.account_id)
        reason = f"Disputed charge: {row.description}"[:CREDIT_REASON_CHARS]
        credit = credits.post(tx, account, amount, reason, invoice_number=row.invoice_number,
                              source="dispute", dispute_id=dispute.id, actor=actor, now=now)
        tx.session.execute(update(Dispute).where(Dispute.id == dispute.id).values(
            credit_id=credit["credit_id"]))
    tx.session.expire_all()
    resolved = _public(_one(tx.session, dispute.id))
    tx.emit("dispute_resolved", dict(
        account_number=resolved["account_number"], dispute_id=dispute.id,
        invoice_number=resolved["invoice_number"], line_id=resolved["line_id"],
        line_description=resolved["line_description"], amount_cents=dispute.amount_cents,
        reason=resolved["reason"], outcome=data["outcome"],
        credited_cents=credit["amount_cents"] if credit else None,
        credit_id=credit["credit_id"] if credit else None, note=data["note"],
        opened_by=dispute.opened_by, **actors.event_fields(actor)))
    return resolved
