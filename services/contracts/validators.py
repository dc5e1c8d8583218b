"""Field rules shared by every schema that takes them (one place for each rule)."""
import re
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, fields

US_STATES = frozenset("""
AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP
""".split())
POSTAL_CODE = re.compile(r"^\d{5}(-\d{4})?$")


def email(value):
    """A deliverable-looking address (no DNS look-up); returns it normalised."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(str(exc)) from None


def phone(value, region="US"):
    """A valid phone number in any common notation; returns it in E.164."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError("Not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def state(value):
    if value.upper() not in US_STATES:
        raise ValidationError("Not a US state or territory code.")
    return value.upper()


def postal_code(value):
    if not POSTAL_CODE.match(value):
        raise ValidationError("Use a ZIP code: 12345 or 12345-6789.")
    return value


def run_date(value):
    """A statement or run date staff may ask for: dates far off overflowed the date
    arithmetic (a due date past 9999, a period before year 1) into a 500."""
    if not date(2000, 1, 1) <= value <= date(2099, 12, 31):
        raise ValidationError("Choose a date from 2000-01-01 to 2099-12-31.")
    return value


class Boolean(fields.Boolean):
    """JSON true or false, nothing else: marshmallow's Boolean also takes 0, 1, 0.0, "yes"
    and the like (and truthy={True} still lets 1 in, as 1 == True), which the API document
    does not promise."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
