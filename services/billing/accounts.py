"""Opening business accounts, checking the invoice's security key and reissuing it."""
from sqlalchemy import select

from services import contracts
from services.billing import catalogue, keys
from services.billing.models import Account, AccountService
from services.contracts.billing import OpenAccountRequest
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import clock


def load_request(payload):
    """Validate a staff request to open an account; raises InvalidInput with field errors."""
    data = contracts.load(OpenAccountRequest, payload)
    unknown = {i: [f"Unknown product code {line['code']!r}."]
               for i, line in enumerate(data["services"]) if not catalogue.product(line["code"])}
    codes = [line["code"] for line in data["services"]]
    if unknown:
        raise InvalidInput({"services": unknown})
    if len(set(codes)) != len(codes):
        raise InvalidInput({"services": ["Each product code may appear once; use quantity."]})
    return data


def open_account(session, data, kek, now=None):
    """Create the account and its services; returns ``(account, security_key)``.

    The plain key is returned once (the staff API's answer); it is kept hashed, to check it,
    and sealed under ``kek``, to print it at the top of every statement.
    """
    now = now or clock.now()
    key, key_hash, sealed = keys.issue(kek)
    address = data["billing_address"]
    account = Account(
        account_number=_unused_account_number(session),
        security_key_hash=key_hash, security_key_sealed=sealed,
        company_name=data["company_name"], contact_name=data["contact_name"],
        email=data["email"], phone=data["phone"],
        address_line1=address["line1"], address_line2=address.get("line2"),
        city=address["city"], state=address["state"], postal_code=address["postal_code"],
        bill_cycle_day=data["bill_cycle_day"], invoice_delivery="paper",
        opened_on=now.date(), created_at=now,
    )
    for line in data["services"]:
        product = catalogue.product(line["code"])
        account.services.append(AccountService(
            product_code=product.code, quantity=line["quantity"],
            monthly_cents=product.monthly_cents))
    session.add(account)
    session.flush()
    return account, key


def _unused_account_number(session):
    # 9e14 possibilities: a collision is rare, but the unique index is the real guard
    while True:
        number = keys.new_account_number()
        if not session.execute(select(Account.id).where(Account.account_number == number)).first():
            return number


def account_key_matches(session, account_number, security_key):
    """True when ``security_key`` is that account's key; the same work when it is unknown."""
    stored = None
    if keys.is_account_number(account_number or ""):
        stored = session.execute(select(Account.security_key_hash)
                                 .where(Account.account_number == account_number)).scalar()
    return keys.key_matches(stored, security_key or "")


def reissue_key(session, account_number, kek):
    """A new security key for the account, replacing the old one (which stops matching at
    once); returns ``(account, security_key)``. Raises NotFound."""
    account = None
    if keys.is_account_number(account_number or ""):
        account = session.execute(select(Account).where(
            Account.account_number == account_number).with_for_update()).scalar()
    if account is None:
        raise NotFound("No account has that number.")
    key, account.security_key_hash, account.security_key_sealed = keys.issue(kek)
    session.flush()
    return account, key


def printed_key(account, kek):
    """The key printed at the top of the account's statements."""
    return keys.unseal_key(account.security_key_sealed, kek)


def opened_event(account):
    return {"account_number": account.account_number, "company_name": account.company_name,
            "bill_cycle_day": account.bill_cycle_day, "contact_name": account.contact_name,
            "email": account.email}


def locked(session, query):
    """The Account ``query`` selects, its row locked for this transaction on PostgreSQL (one
    review of an account at a time: a payment, a usage load, a run on two replicas). FOR NO KEY
    UPDATE, not FOR UPDATE: a payment or a load has just inserted rows whose foreign key holds
    KEY SHARE on the account; FOR UPDATE waits for the other transaction's KEY SHARE while it
    waits for ours, a deadlock every time two of them cross."""
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    return session.execute(query).scalar()
