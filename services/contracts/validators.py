"""Field rules shared by every schema that takes them (one place for each rule).

Two rules hold for every text a customer or staff member types:

* ``plain_text``: no control or invisible formatting character (C0/C1 controls such as CR,
  LF, TAB and ESC, bidi overrides and isolates, zero-width characters, line and paragraph
  separators). CR/LF split mail headers and log lines, TAB shifts CSV columns, ESC colours a
  terminal, and a bidi override makes "invoice\u202efdp.exe" read as something else on a
  statement or in a mail. Names, usernames, companies, addresses, emails and usage take
  ``text(min, max)`` (a length plus this) or a validator built on it.
* ``Pattern``: a regular expression that must match the whole value (``fullmatch``: Python's
  ``$`` also matches before a final newline) with ASCII classes (``\\d`` otherwise takes
  every script's digits). Use it instead of marshmallow's ``validate.Regexp``.
"""
import re
import unicodedata
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, fields, validate

US_STATES = frozenset("""
AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP
""".split())
POSTAL_CODE = re.compile(r"[0-9]{5}(-[0-9]{4})?", re.ASCII)

# The shapes of the numbers and codes customers type, one place each: the schemas anchor them
# (``whole``), the services fullmatch them, and the API documents show them as patterns.
ACCOUNT_NUMBER_FORM = "[0-9]{16}"   # the last digit a Luhn check (billing/keys.py)
SECURITY_CODE_FORM = "[0-9]{4}"
TOTP_CODE_FORM = "[0-9]{6}"
RECOVERY_CODE_FORM = "[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}"


def whole(form):
    """``form`` anchored at both ends, as an OpenAPI ``pattern`` reads it."""
    return f"^{form}$"

# Unicode categories never part of a name or an address: Cc (C0 and C1 controls, DEL), Cf
# (format: bidi embeddings, overrides and isolates, zero-width characters, BOM), Zl and Zp
# (line and paragraph separators).
_REFUSED_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp"))
CONTROL_MESSAGE = ("Contains a control or invisible formatting character (a line break, tab, "
                   "text-direction mark or similar); type it on one line without them.")


def control_characters(value):
    """The characters of ``value`` refused by ``plain_text``, in order (empty when none)."""
    return [c for c in value if unicodedata.category(c) in _REFUSED_CATEGORIES]


def plain_text(value):
    """Refuses control and invisible formatting characters (see the module's docstring)."""
    if isinstance(value, str) and control_characters(value):
        raise ValidationError(CONTROL_MESSAGE)
    return value


def text(min_length=None, max_length=None):
    """The validators of a typed text field: its length, and plain text."""
    return [validate.Length(min_length, max_length), plain_text]


class Pattern(validate.Regexp):
    """``validate.Regexp`` that must match the whole string, with ASCII-only classes."""

    def __init__(self, regex, flags=0, *, error=None):
        super().__init__(regex, flags | re.ASCII, error=error)

    def __call__(self, value):
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


ACCOUNT_NUMBER = Pattern(whole(ACCOUNT_NUMBER_FORM), error="An account number is 16 digits.")


def email(value):
    """A deliverable-looking address (no DNS look-up); returns it normalised."""
    plain_text(value)
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(str(exc)) from None


def phone(value, region="US"):
    """A valid phone number in any common notation; returns it in E.164."""
    plain_text(value)
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError("Not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def state(value):
    if not isinstance(value, str) or value.upper() not in US_STATES:
        raise ValidationError("Not a US state or territory code.")
    return value.upper()


def postal_code(value):
    if not isinstance(value, str) or not POSTAL_CODE.fullmatch(value):
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
