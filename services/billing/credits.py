"""Credits: money given back to an account, as one ledger entry (kind ``credit``, negative)
and a credit note saying why. Staff issue them (``issue``, under an Idempotency-Key); a dispute
resolved in the customer's favour posts one too (``post``, inside its own transaction). Either
way the entry has no statement yet, so the next statement shows it under Adjustments, and an
unpaid statement's late fee already counts it (ledger.assess_late_fees)."""
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services import contracts
from services.billing import collections, fees, ledger, queries
from services.billing.models import CreditNote, IdempotencyKey, LedgerEntry, Statement
from services.contracts import actor as actors
from services.contracts.credits import CreditRequest
from services.contracts.errors import Refused
from services.runtime import clock
from services.runtime import idempotency

DESCRIPTION_CHARS = 120  # ledger_entries.description


def description(reason):
    return f"Credit: {reason}"[:DESCRIPTION_CHARS]


def check_invoice(session, account_id, invoice_number):
    """A credit may name only one of the account's own statements."""
    if invoice_number is None:
        return
    found = session.execute(select(Statement.id).where(
        Statement.account_id == account_id,
        Statement.invoice_number == invoice_number)).first()
    if found is None:
        raise Refused("No statement of this account has that invoice number: a credit may "
                      "name only one of the account's own statements.")


def post(tx, account, amount_cents, reason, *, invoice_number=None, source="staff",
         dispute_id=None, actor=None, now=None):
    """Posts the credit in ``tx``: its ledger entry, its note and ``billing.credit_issued``.
    ``account`` is an Account row; ``amount_cents`` positive. Returns the credit note (the
    contract's CreditNote)."""
    now = now or clock.now()
    credit_id = str(uuid.uuid4())
    entry = LedgerEntry(account_id=account.id, entry_date=now.date(), kind="credit",
                        description=description(reason), amount_cents=-int(amount_cents),
                        reference=credit_id, posted_at=now)
    tx.session.add(entry)
    tx.session.flush()
    tx.session.add(CreditNote(id=credit_id, account_id=account.id, ledger_entry_id=entry.id,
                              invoice_number=invoice_number, reason=reason, source=source,
                              dispute_id=dispute_id, created_at=now))
    note = {"credit_id": credit_id, "account_number": account.account_number,
            "amount_cents": int(amount_cents), "currency": fees.CURRENCY, "reason": reason,
            "invoice_number": invoice_number, "dispute_id": dispute_id,
            "entry_date": now.date().isoformat(), "issued_at": clock.iso(now),
            "balance_cents": ledger.balance(tx.session, account.id)}
    tx.emit("credit_issued", dict({k: note[k] for k in (
        "account_number", "credit_id", "amount_cents", "currency", "reason", "invoice_number",
        "dispute_id", "balance_cents")}, via=source, **actors.event_fields(actor)))
    # a credit that covers what a suspended account owes past due restores it at once, as a
    # payment would (collections.py)
    collections.restore_if_covered(tx, account, now.date())
    return note


def issue(db, account_number, request, key, actor=None):
    """A staff credit ``{amount_cents, reason, invoice_number?}`` under ``key``: the credit
    note, the first one again for the same key and body. Raises InvalidInput (fields, no
    key), NotFound (account), Refused (an invoice not the account's), Conflict (the key
    with another body)."""
    key = idempotency.checked_key(key, "credit")
    data = contracts.load(CreditRequest, request)
    fp = idempotency.fingerprint(data)
    try:
        with db.transaction() as tx:
            first = _first_answer(tx.session, account_number, key, fp)
            if first is not None:
                return first
            account = queries.account(tx.session, account_number)
            check_invoice(tx.session, account.id, data["invoice_number"])
            note = post(tx, account, data["amount_cents"], data["reason"],
                        invoice_number=data["invoice_number"], actor=actor)
            # the key row in the credit's own transaction: it made one credit, or nothing
            idempotency.keep(tx.session, IdempotencyKey, account.account_number, key, fp,
                             response=note)
            return note
    except IntegrityError:
        # another request with this key committed first: its answer is this one's
        with db.transaction() as tx:
            first = _first_answer(tx.session, account_number, key, fp)
        if first is None:
            raise
        return first


def _first_answer(session, account_number, key, fp):
    row = session.get(IdempotencyKey, (str(account_number), key))
    return idempotency.first_answer(row, fp, "credit")
