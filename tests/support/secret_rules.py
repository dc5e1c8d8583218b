"""What counts as a secret for the secret scan (tests/support/secret_scan.py), and what does not:
the secret-bearing field and column names, the KnownSecrets the tests used, and the digit runs
that look like card numbers but are not (each allowed for a stated reason)."""
import re

# fields that hold a secret wherever they appear (requests, responses, events, log lines)
SECRET_FIELDS = {
    "password": "password", "new_password": "password", "current_password": "password",
    "security_key": "security key", "security_code": "security code", "answer": "challenge answer",
    "challenge_answer": "challenge answer", "access_token": "access token",
    "refresh_token": "refresh token", "token": "token", "card_number": "card number",
    "cvc": "CVC", "cvv": "CVC", "secret": "TOTP secret", "totp_secret": "TOTP secret",
    "recovery_codes": "recovery code", "recovery_code": "recovery code",
}
# a database column named for a secret must hold a hash (``*_hash``) or a sealed value, so
# a column *named* like one of these holding anything is a finding, whatever the value
SECRET_COLUMN = re.compile(r"(^|_)(password|secret|security_key|security_code|answer|cvc|cvv|"
                           r"card_number|token|recovery_code)s?$")
SECRET_COLUMNS_ALLOWED = {
    # payments: the processor's opaque token standing for a card or bank account (what
    # tokenisation is for: useless without the processor's credentials; no number inside)
    "*.processor_token",
    # the sandbox processor's own charge journal (services/payments/sandbox_journal.py,
    # DATA_DIR/processor/) keeps that same token on the processor's side, as Stripe does
    "charges.token",
}
SEALED = "sealed:"  # a value encrypted at rest (services/runtime/sealing.py)
# a column named for a sealed value (billing's accounts.security_key_sealed) holds only sealed
# values: the prefix and a Fernet token (services.runtime.sealing.is_sealed), never a plain
# value behind the prefix; so does a secret-named column holding a value with the prefix
SEALED_COLUMN = re.compile(r"(^|_)sealed$")
# a value shorter than this is not searched verbatim (a 4-digit security code or a 3-digit
# CVC matches years, amounts and ids everywhere); short secrets are caught by their field name
MIN_SEARCHABLE = 8


class KnownSecrets:
    """Secret values seen in the tests' traffic, each with its kind."""

    def __init__(self):
        self.values = {}
        self.delivered_in = {}  # token -> the one mail (where) allowed to carry it
        # security key -> the billing account it was issued to: printed on that account's own
        # statement PDFs (the print batch) and nowhere else
        self.key_owner = {}

    def add(self, kind, value):
        if isinstance(value, (list, tuple)):
            for item in value:
                self.add(kind, item)
        elif isinstance(value, str) and value.strip():
            self.values.setdefault(value, kind)

    def add_from_json(self, data):
        """Records the secret fields of a request or response body (nested anywhere)."""
        if isinstance(data, list):
            for item in data:
                self.add_from_json(item)
        if not isinstance(data, dict):
            return
        for key, value in data.items():
            if key == "errors":
                continue  # a problem document's field messages ("Your password is wrong.")
            if key in SECRET_FIELDS:
                self.add(SECRET_FIELDS[key], value)
                if key == "security_key" and isinstance(data.get("account_number"), str):
                    self.add_account_key(data["account_number"], value)
            elif key == "account_number" and (data.get("type") == "bank_account"
                                              or "routing_number" in data):
                # a bank account number; a bare account_number is the billing account's
                self.add("bank account number", value)
            elif isinstance(value, (dict, list)):
                self.add_from_json(value)

    def add_account_key(self, account_number, key):
        """A security key staff were given (account opened, key reissued) or billing keeps."""
        if isinstance(key, str) and key.strip():
            self.add("security key", key)
            self.key_owner.setdefault(key, account_number)

    def add_delivered_token(self, token, where):
        self.add("reset or invitation token", token)
        self.delivered_in.setdefault(token, where)

    def searchable(self):
        """The values distinctive enough to search verbatim. Not: short values (see
        MIN_SEARCHABLE), nor one of the 30,000 common passwords identity refuses (a test
        typing "password" to see it refused; the word is in every "reset your password"),
        nor a value of fewer than 5 distinct characters (a fuzzer's "00000000" or "AAAAAAAA"
        is in any long enough id or hash; no real secret looks like that)."""
        from services.identity.passwords import common_passwords
        common = common_passwords()
        return {v: k for v, k in self.values.items()
                if len(v) >= MIN_SEARCHABLE and v.lower() not in common and len(set(v)) >= 5}

    def __len__(self):
        return len(self.values)


# Digit runs made by the tools that write mails and PDFs, allowed by their exact surroundings
# (a number of the same shape anywhere else is still a finding):
NOT_SECRET_SHAPES = re.compile("|".join([
    # Python's email package: MIME boundaries are 15 "=" + random.randrange(sys.maxsize)
    # (up to 19 digits) + "=="; Message-IDs are <time-stamp.pid.random 64-bit number@domain>
    r"={15}\d{1,19}==",
    r"<\d+\.\d+\.\d{1,20}@[\w.-]+>",
    # a PDF's date strings (PDF 1.7, 7.9.4): (D:YYYYMMDDHHmmSS+HH'mm') from reportlab
    r"\(D:\d{14}[+\-Z][0-9']*\)",
]))


class NotSecret:
    """Luhn-valid digit runs that are not card numbers, each for a stated reason."""

    def __init__(self, account_numbers=(), invoice_numbers=()):
        # Account numbers are 16 digits with a Luhn check digit by design (services/billing/
        # keys.py) and are printed on every invoice; invoice numbers are 14 digits (statement
        # date + sequence, services/billing) and one in ten passes Luhn by chance. Both are
        # allowed exactly as billing issued them (read from its accounts and statements
        # tables), not as a shape.
        self.numbers = set(account_numbers) | set(invoice_numbers)

    def __contains__(self, digits):
        return digits in self.numbers

    @staticmethod
    def spans(text):
        """Where in ``text`` the tool-made shapes above are."""
        return [m.span() for m in NOT_SECRET_SHAPES.finditer(text)]
