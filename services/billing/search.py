"""Staff search: find accounts by account number, invoice number, company name (prefix,
case-insensitive), email or phone, one keyset page at a time.

What ``q`` is read as, each where it could be one (the answer is the union):

* 16 digits (spaces and dashes allowed): an account number;
* digits only: an invoice number;
* with an ``@``: an email, whole, case-insensitive;
* digits, spaces and ``+ ( ) . -`` only that make a valid phone number: a phone (E.164);
* always: the start of a company name, case-insensitive, ``%`` and ``_`` taken literally.

Every kind is one indexed look-up (models.Account's indexes, migration 0008), in the same
order: company name key, then id. Each page asks each kind for its next ``limit + 1`` rows
after the cursor and merges them, so a prefix that matches half a million accounts reads
``limit + 1`` index entries, not half a million rows.
"""
import re

from marshmallow import ValidationError
from sqlalchemy import select, tuple_

from services.billing import ledger
from services.billing.models import (EMAIL_KEY_CHARS, NAME_KEY_CHARS, Account, Statement,
                                     search_key)
from services.contracts import desk, paging, validators
from services.contracts.errors import InvalidInput

MAX_QUERY = 100
# a page's last account: (company name key, id), as long as the staff API lets it be
CURSOR = paging.Cursor("accounts", paging.text(NAME_KEY_CHARS), paging.ROW,
                       chars=desk.SEARCH_CURSOR_CHARS)
_SPACED_DIGITS = re.compile(r"[0-9][0-9 -]*", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,24}", re.ASCII)
_PHONE_TEXT = re.compile(r"\+?[0-9 ().-]{7,25}", re.ASCII)
_LIKE_ESCAPE = "\\"


def check_query(q, limit):
    """``q`` stripped; raises InvalidInput naming ``q`` or ``limit``."""
    if not isinstance(q, str) or not q.strip():
        raise InvalidInput({"q": ["Type an account or invoice number, a company name, an "
                                  "email or a phone number."]})
    if len(q) > MAX_QUERY:
        raise InvalidInput({"q": [f"At most {MAX_QUERY} characters."]})
    try:
        validators.plain_text(q)
    except ValidationError as exc:
        raise InvalidInput({"q": exc.messages}) from None
    paging.checked_limit(limit)
    return q.strip()


def conditions(q):
    """The WHERE clause of each kind ``q`` may be (see the module's docstring)."""
    found = [Account.company_name_key.like(like_prefix(search_key(q)), escape=_LIKE_ESCAPE)]
    if _SPACED_DIGITS.fullmatch(q):
        digits = q.replace(" ", "").replace("-", "")
        if len(digits) == 16:
            found.append(Account.account_number == digits)
        if _DIGITS.fullmatch(digits):
            found.append(Account.id.in_(select(Statement.account_id).where(
                Statement.invoice_number == digits).scalar_subquery()))
    if "@" in q:
        found.append(Account.email_key == search_key(q, EMAIL_KEY_CHARS))
    if _PHONE_TEXT.fullmatch(q):
        try:
            found.append(Account.phone == validators.phone(q))
        except ValidationError:
            pass
    return found


def like_prefix(text):
    """``text%`` for LIKE, with the wildcards and the escape in ``text`` matched literally."""
    for special in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, _LIKE_ESCAPE + special)
    return text + "%"


def find(session, q, limit=20, cursor=None):
    """``{items: [{account_number, company_name, email, phone, status, balance_cents}],
    next_cursor}``, ordered by company name (case-folded), then by when the account opened.
    Raises InvalidInput (an empty, too long or control-character ``q``, a bad ``limit``, a
    cursor this search did not give out)."""
    q = check_query(q, limit)
    after = CURSOR.decode(cursor) if cursor else None
    order = (Account.company_name_key, Account.id)
    rows = {}
    for condition in conditions(q):
        query = select(Account.id, Account.company_name_key, Account.account_number,
                       Account.company_name, Account.email, Account.phone,
                       Account.status).where(condition)
        if after is not None:
            query = query.where(_after(after))
        for row in session.execute(query.order_by(*order).limit(limit + 1)):
            rows[row.id] = row
    ordered = sorted(rows.values(), key=lambda r: (r.company_name_key.encode(), r.id))
    page, more = ordered[:limit], len(ordered) > limit
    balances = ledger.balances(session, [r.id for r in page])
    return {"items": [{"account_number": r.account_number, "company_name": r.company_name,
                       "email": r.email, "phone": r.phone, "status": r.status,
                       "balance_cents": balances.get(r.id, 0)} for r in page],
            "next_cursor": CURSOR.encode(page[-1].company_name_key, page[-1].id) if more
            else None}


def _after(after):
    # a row comparison: PostgreSQL starts the index scan there (an OR would filter up to it)
    return tuple_(Account.company_name_key, Account.id) > tuple_(*after)
