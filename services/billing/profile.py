"""The company profile and how invoices are delivered (paper or paperless), as plain
functions on a session: read, validate, change, and the events that say what changed.

Where paperless bills go changes only through a verified address (paperless.py): choosing a
new one leaves the delivery as it is until its mailed link is followed, and changing the
company email keeps bills going to the address they went to before."""
from services import contracts
from services.billing import paperless
from services.billing.queries import ADDRESS_COLUMNS, account, billing_address
from services.contracts import actor as contract_actor
from services.contracts import billing as contract
from services.contracts import validators
from services.contracts.billing import CompanyProfileChange, DeliveryChange
from services.contracts.errors import InvalidInput

PROFILE_FIELDS = ("company_name", "contact_name", "email", "phone", "billing_address")


def public(found):
    return contracts.dump(contract.AccountProfile, found, billing_address=billing_address(found))


def get_profile(session, account_number):
    return public(account(session, account_number))


def update_profile(session, account_number, payload):
    """Applies a validated change; returns ``(profile, changed field names)``. Raises
    InvalidInput (nothing changed) or NotFound."""
    if not isinstance(payload, dict) or not payload:
        raise InvalidInput({"_schema": ["Send at least one field to change."]})
    data = contracts.load(CompanyProfileChange, payload)
    found = account(session, account_number)
    if "email" in data:
        data["email"] = validators.email(data["email"])
    if "phone" in data:
        data["phone"] = validators.phone(data["phone"])
    before = public(found)
    if "email" in data and data["email"] != found.email and found.invoice_email is None:
        found.invoice_email = found.email  # bills keep going where they went: unverified
    for name in ("company_name", "contact_name", "email", "phone"):
        if name in data:
            setattr(found, name, data[name])
    for key, value in data.get("billing_address", {}).items():
        setattr(found, ADDRESS_COLUMNS[key], value)
    after = public(found)
    changed = [name for name in PROFILE_FIELDS if before[name] != after[name]]
    return after, changed


def delivery_email(found):
    """Where paperless bills go: the address chosen for them, else the company's email."""
    return found.invoice_email or found.email


def delivery_method(session, account_number):
    return account(session, account_number).invoice_delivery


def get_delivery(session, account_number, at):
    found = account(session, account_number)
    return {"method": found.invoice_delivery, "email": delivery_email(found),
            "pending_email": paperless.pending(session, account_number, at)}


def set_delivery(session, account_number, payload, at):
    """Sets paper or paperless. Returns ``(delivery, changed, new_email)``: a new address
    (``new_email``) does not apply yet (paperless stays where it was; paper applies at once),
    the caller mails it a verification (``paperless``);
    without one the method changes at once (to the address bills already go to). Any change
    ends an older pending address. Raises InvalidInput (nothing changed) or NotFound."""
    data = contracts.load(DeliveryChange, payload)
    found = account(session, account_number)
    before = {"method": found.invoice_delivery, "email": delivery_email(found)}
    email = validators.email(data["email"]) if data.get("email") else None
    paperless.end_pending(session, account_number, at)
    if email and email != delivery_email(found):
        if data["method"] == "paper":  # paper weakens nothing: at once; the address waits
            found.invoice_delivery = "paper"
        after = {"method": found.invoice_delivery, "email": delivery_email(found)}
        return dict(after, pending_email=email), after != before, email
    found.invoice_delivery = data["method"]
    after = {"method": found.invoice_delivery, "email": delivery_email(found)}
    return dict(after, pending_email=None), after != before, None


def verify_delivery(session, token, at):
    """Applies the address (and method) of a followed verification link; returns
    ``(account_number, delivery, requested_by)``. Raises Refused (paperless.BAD_TOKEN)."""
    row = paperless.take(session, str(token), at)
    found = account(session, row.account_number)
    found.invoice_email, found.invoice_delivery = row.email, row.method
    return row.account_number, {"method": found.invoice_delivery,
                                "email": delivery_email(found)}, row.requested_by


def changed_event(account_number, fields_, actor):
    return dict(account_number=account_number, fields=fields_, **_actor(actor))


def delivery_event(account_number, delivery, actor):
    return dict(account_number=account_number, method=delivery["method"],
                email=delivery["email"], **_actor(actor))


def _actor(actor):
    return contract_actor.event_fields(actor)

