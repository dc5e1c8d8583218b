"""Payment methods: validating card and bank details, tokenising them, keeping only the token.

The full number and CVC are passed to the processor adapter and dropped; the row keeps the
token, brand or bank name, last four digits and expiry. Nothing here logs or returns them.
"""
import uuid
from datetime import date

from marshmallow import EXCLUDE
from sqlalchemy import select
from stdnum import luhn
from stdnum.us import rtn

from services import contracts
from services.contracts import payments as contract
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.payments.models import Autopay, PaymentMethod
from services.payments.processor import ProcessorDeclined, ProcessorUnavailable
from services.runtime import clock

# (brand, IIN prefixes as (low, high) on the first digits, allowed lengths); stdnum has Luhn
# but no brand table, so this one is ours
BRANDS = (
    ("visa", [("4", "4")], (13, 16, 19)),
    ("mastercard", [("51", "55"), ("2221", "2720")], (16,)),
    ("amex", [("34", "34"), ("37", "37")], (15,)),
    ("discover", [("6011", "6011"), ("65", "65"), ("644", "649")], (16, 19)),
)


def card_brand(number):
    """The brand of a digits-only card number, or None."""
    for brand, ranges, lengths in BRANDS:
        for low, high in ranges:
            if low <= number[:len(low)] <= high and len(number) in lengths:
                return brand
    return None


def load_request(request, today=None):
    """Validate a payment-method request; returns the clean dict or raises InvalidInput."""
    if not isinstance(request, dict):
        raise InvalidInput({"body": ["A JSON object is expected."]})
    schema = {"card": contract.CardRequest, "bank_account": contract.BankAccountRequest}.get(
        request.get("type"))
    if schema is None:
        raise InvalidInput({"type": ["Must be one of: card, bank_account."]})
    # unknown fields are dropped (EXCLUDE), so no message names a value the client sent
    data = contracts.load(schema, request, unknown=EXCLUDE)
    errors = card_errors(data, today or date.today()) if data["type"] == "card" \
        else bank_errors(data)
    if errors:
        raise InvalidInput(errors)
    return data


def card_errors(data, today):
    data["card_number"] = "".join(ch for ch in data["card_number"] if ch.isdigit())
    errors = {}
    number = data["card_number"]
    if not luhn.is_valid(number) or card_brand(number) is None:
        errors["card_number"] = ["This card number is not valid."]
    if (data["exp_year"], data["exp_month"]) < (today.year, today.month):
        errors["exp_year"] = ["This card has expired."]
    if card_brand(number) == "amex" and len(data["cvc"]) != 4 or \
            card_brand(number) not in (None, "amex") and len(data["cvc"]) != 3:
        errors["cvc"] = ["The CVC has the wrong number of digits for this card."]
    return errors


def bank_errors(data):
    if not rtn.is_valid(data["routing_number"]):
        return {"routing_number": ["This routing number is not valid."]}
    return {}


def add(session, processor, account_number, data):
    """Tokenise ``data`` with the processor and keep the method. Raises Refused on a decline."""
    try:
        if data["type"] == "card":
            tokenized = processor.tokenize_card(
                number=data["card_number"], exp_month=data["exp_month"],
                exp_year=data["exp_year"], cvc=data["cvc"], name=data["name"],
                postal_code=data["postal_code"], brand=card_brand(data["card_number"]))
        else:
            tokenized = processor.tokenize_bank_account(
                routing_number=data["routing_number"], account_number=data["account_number"],
                account_type=data["account_type"], name=data["name"])
    except ProcessorDeclined as exc:
        raise Refused(exc.reason, {"code": exc.code}) from None
    except ProcessorUnavailable:
        raise Refused("The payment processor is unavailable. Please try again shortly.",
                      {"code": "processor_unavailable"}) from None
    method = PaymentMethod(
        id=str(uuid.uuid4()), account_number=account_number, type=data["type"],
        processor_token=tokenized.token, brand=tokenized.brand, bank_name=tokenized.bank_name,
        account_type=data.get("account_type"), last4=tokenized.last4,
        exp_month=data.get("exp_month"), exp_year=data.get("exp_year"), name=data["name"],
        created_at=clock.now())
    session.add(method)
    session.flush()
    return method


def find(session, account_number, method_id, for_update=False):
    """The account's live method; NotFound for another account's (do not reveal it exists)."""
    query = select(PaymentMethod).where(PaymentMethod.id == method_id,
                                        PaymentMethod.account_number == account_number,
                                        PaymentMethod.removed_at.is_(None))
    method = session.execute(query).scalar_one_or_none()
    if method is None:
        raise NotFound("No such payment method on this account.")
    return method


def listed(session, account_number):
    return session.execute(select(PaymentMethod).where(
        PaymentMethod.account_number == account_number, PaymentMethod.removed_at.is_(None))
        .order_by(PaymentMethod.created_at)).scalars().all()


def remove(session, account_number, method_id):
    """Remove a method; Conflict while autopay uses it. Scheduled payments on it are canceled
    by the caller (payments.cancel_for_method)."""
    method = find(session, account_number, method_id)
    autopay = session.get(Autopay, account_number)
    if autopay is not None and autopay.enabled and autopay.payment_method_id == method_id:
        raise Conflict("Autopay uses this payment method. Turn autopay off or choose another "
                       "method first.")
    method.removed_at = clock.now()
    return method


def public(method):
    return contracts.dump(contract.PaymentMethod, method)


def event(method):
    return {"account_number": method.account_number, "payment_method_id": method.id,
            "type": method.type, "last4": method.last4}


def find_any(session, method_id):
    """A method as it was, removed or not (for a payment's history)."""
    return session.get(PaymentMethod, method_id)
