"""Scanning everything the system keeps or says for secrets (issue 7, part 5).

Where: every table of every service database (PostgreSQL or SQLite, found by reflection),
every file under DATA_DIR (logs, the Maildir, print-batch PDFs, anything else), and every
event captured from the exchanges (tests/support/event_capture.py).

What, four ways:
* card numbers by shape: any Luhn-valid run of 13-19 digits (also in 4-digit groups), except
  the allow-listed numbers that are not secrets (tests/support/secret_rules.py, each justified);
* KNOWN secrets by value: what the tests typed or were given (passwords, security keys and
  codes, challenge answers, access/refresh/reset/invitation tokens, TOTP secrets and recovery
  codes, card numbers and CVCs, bank account numbers: ``KnownSecrets``), found verbatim;
* secret-named fields (``password``, ``cvc``, ``token``...) carrying a value in an event or a
  JSON log line, whatever the value;
* database columns named for a secret (``totp_secret``) holding anything but a hash (they are
  named ``*_hash``) or a sealed value, and columns named for a sealed value
  (``security_key_sealed``) holding anything but a Fernet token behind the prefix.

Every security key billing issued is a known secret: those staff were given (the staff API's
answers, collected) and, with the key-encryption key, every key billing keeps sealed. A key is
printed on its own account's statements, so it is allowed in exactly those print-batch PDFs
(``print-batch/<date>/<invoice number>.pdf`` of an invoice of that account): any other
account's key there, or the key anywhere else, is a finding.

A reset or invitation token is *meant* to appear in exactly one place: the one mail that
delivers it to its owner (the link in that mail). Every token in a mail link is therefore a
known secret whose only allowed place is that mail: in a second mail, a log, a database row
(tokens are stored as SHA-256 only) or an event it is a finding.

``scan_system(...)`` returns ``Findings``: a list of ``Finding(where, kind, excerpt)`` with the
secret masked in the excerpt (the report itself must not leak), plus what was scanned.
"""
import bisect
import re
from dataclasses import dataclass

from stdnum import luhn

from services.runtime.sealing import is_sealed
from tests.support.secret_rules import (  # noqa: F401  (KnownSecrets and NotSecret: part of this API)
    SEALED, SEALED_COLUMN, SECRET_COLUMN, SECRET_COLUMNS_ALLOWED, SECRET_FIELDS, KnownSecrets,
    NotSecret)

# a run of digits not glued to letters or digits: a card number in text, JSON, a URL or a PDF.
# Runs inside alphanumeric words (hex hashes, base64 tokens, argon2 hashes) are skipped: a
# 64-hex SHA-256 holds a Luhn-valid 13+ digit run about once in a hundred hashes.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
CARD_RUN = re.compile(
    _EDGE_BEFORE + r"(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7})" + _EDGE_AFTER)
LINK_TOKEN = re.compile(r"[?&]token=([A-Za-z0-9_\-.~]{16,})")
# the subject of the forgot-ID mail (services/notifications/templates/username_reminder.txt)
FORGOT_ID_SUBJECT = "Your BizPortal username"
SEPARATOR = "\x00"  # between the parts of a document: no match spans two rows or lines

@dataclass(frozen=True)
class Finding:
    where: str
    kind: str
    excerpt: str

    def __str__(self):
        return f"{self.kind} in {self.where}: {self.excerpt}"


class Findings(list):
    """The findings plus how much was looked at (for the summary line)."""

    def __init__(self, *args):
        list.__init__(self, *args)
        self.counts = {}

    def summary(self):
        return ", ".join(f"{n} {what}" for what, n in self.counts.items()) + \
            f"; {len(self)} finding(s)"


def mask(secret):
    secret = str(secret)
    if len(secret) <= 4:
        return "*" * len(secret)
    return f"{secret[:2]}{'*' * (len(secret) - 4)}{secret[-2:]}"


def excerpt(text, start, end, width=24):
    before = text[max(0, start - width):start].replace(SEPARATOR, " ")
    after = text[end:end + width].replace(SEPARATOR, " ")
    return f"...{before}[{mask(text[start:end])}]{after}...".replace("\n", " ")


class Document:
    """A text made of labelled parts (lines, rows, mail parts) scanned as one string."""

    def __init__(self, where, parts, table=None):
        self.where = where
        self.table = table  # a database table's name: parts are its "<column> [<key>]" values
        self.printed_for = None  # a statement PDF: the account whose key it may print
        self.labels, self.starts, chunks, at = [], [], [], 0
        for label, text in parts:
            self.labels.append(label)
            self.starts.append(at)
            chunks.append(text)
            at += len(text) + 1
        self.text = SEPARATOR.join(chunks)

    def parts(self):
        """{label: text} (a later part of the same label wins)."""
        ends = self.starts[1:] + [len(self.text) + 1]
        return {label: self.text[start:end - 1]
                for label, start, end in zip(self.labels, self.starts, ends)}

    def locate(self, index):
        label = self.labels[bisect.bisect_right(self.starts, index) - 1] if self.labels else ""
        return f"{self.where} {label}".strip()


def scan_document(doc, known, not_secret, findings, searchable=None):
    """Card numbers and known secrets in ``doc`` (``searchable``: known.searchable(), once)."""
    text = doc.text
    tool_made = not_secret.spans(text)
    for match in CARD_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if any(start <= match.start() and match.end() <= end for start, end in tool_made):
            continue
        # one digit repeated (a fuzzer's "0000000000000", Luhn-valid) is filler: no issuer
        # number (ISO/IEC 7812) is a repeated digit
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn.is_valid(digits) \
                and digits not in not_secret:
            findings.append(Finding(doc.locate(match.start()), "card number (Luhn-valid digits)",
                                    excerpt(text, match.start(), match.end())))
    for value, kind in (known.searchable() if searchable is None else searchable).items():
        if known.delivered_in.get(value) == doc.where:
            continue  # the token's own delivery mail
        if doc.printed_for and known.key_owner.get(value) == doc.printed_for:
            continue  # the account's own key on its own statement
        index = text.find(value)
        if index >= 0:
            findings.append(Finding(doc.locate(index), kind,
                                    excerpt(text, index, index + len(value))))
    return findings


def scan_secret_columns(doc, findings):
    """A database table's columns named for a secret hold nothing in the clear."""
    ends = doc.starts[1:] + [len(doc.text) + 1]
    for label, start, end in zip(doc.labels, doc.starts, ends):
        column = label.split(" [")[0]
        value = doc.text[start:end - 1]
        allowed = {f"*.{column}", f"{doc.table}.{column}"} & SECRET_COLUMNS_ALLOWED
        if SEALED_COLUMN.search(column) and not is_sealed(value):
            findings.append(Finding(f"{doc.where} {label}",
                                    f"sealed column {column!r} not sealed", "[value not shown]"))
        elif SECRET_COLUMN.search(column) and not allowed and not (
                value.startswith(SEALED) and is_sealed(value)):
            findings.append(Finding(f"{doc.where} {label}",
                                    f"secret column {column!r} in the clear", "[value not shown]"))


def secret_fields(data, path=""):
    """(path, kind) of every secret-named field with a value in a JSON document."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_FIELDS and value not in (None, "", [], {}) \
                    and not isinstance(value, bool):
                found.append((f"{path}.{key}".lstrip("."), SECRET_FIELDS[key]))
            else:
                found.extend(secret_fields(value, f"{path}.{key}"))
    elif isinstance(data, list):
        for item in data:
            found.extend(secret_fields(item, path))
    return found


def scan_json_fields(where, data, findings):
    for path, kind in secret_fields(data):
        findings.append(Finding(where, f"{kind} (field {path!r})", "[value not shown]"))


def forgotten_usernames(mail):
    """The usernames a forgot-ID mail delivers (username_reminder.txt lists them indented)."""
    if f"Subject: {FORGOT_ID_SUBJECT}" not in mail.text:
        return set()
    return {line.strip() for label, text in mail.parts().items() if "text/plain" in label
            for line in text.split("\n") if line.startswith("  ") and line.strip()}


def scan_kept_copies(doc, usernames, findings):
    """Notifications keeps a copy of each mail (the messages table): a forgot-ID mail's copy
    keeps no username it delivered. (Usernames are not secret elsewhere: a welcome mail greets
    its user by username and identity.user_registered carries it; what the forgot-ID mail
    reveals is *which* IDs an address holds, to whoever reads that mailbox.)"""
    if doc.table != "messages" or not usernames:
        return
    parts = doc.parts()
    for label, text in parts.items():
        if label.startswith("subject [") and text == FORGOT_ID_SUBJECT:
            key = label[len("subject "):]
            for column in ("body", "html"):
                kept = parts.get(f"{column} {key}", "")
                if any(name in kept for name in usernames):
                    findings.append(Finding(f"{doc.where} {column} {key}",
                                            "forgot-ID usernames kept", "[value not shown]"))


def delivered_tokens(mail):
    """Tokens in the links of a mail (a reset or invitation mail delivers its token so)."""
    return set(LINK_TOKEN.findall(mail.text))


def service_database_urls(env):
    """{service: url} from a process environment's ``<SERVICE>_DATABASE_URL`` variables."""
    from services.contracts.names import SERVICES
    return {s: env[f"{s.upper()}_DATABASE_URL"] for s in SERVICES
            if env.get(f"{s.upper()}_DATABASE_URL")}


def statement_pdf_invoice(where):
    """The invoice number of a print-batch PDF (``print-batch/<date>/<invoice>.pdf``), or None."""
    parts = where.split("/")
    if len(parts) == 3 and parts[0] == "print-batch" and parts[2].endswith(".pdf"):
        return parts[2][:-len(".pdf")]
    return None


def note_issued_keys(issued, documents, known, key_encryption_key):
    """Every key billing keeps sealed becomes a known secret of its account (when the
    key-encryption key is given), and each statement PDF learns whose key it may print."""
    from services.billing.keys import unseal_key
    if key_encryption_key:
        for number, sealed in issued["sealed_keys"].items():
            if is_sealed(sealed):
                known.add_account_key(number, unseal_key(sealed, key_encryption_key))
    for doc in documents:
        invoice = statement_pdf_invoice(doc.where)
        if invoice is not None:
            doc.printed_for = issued["account_ids"].get(issued["invoice_accounts"].get(invoice))


def scan_system(database_urls=None, data_dir=None, events=(), known=None,
                key_encryption_key=None):
    """Scans the service databases ({name: url}, PostgreSQL or SQLite), every file under
    ``data_dir`` and the captured ``events`` (tests.support.event_capture.CapturedEvent) for card
    numbers and the ``known`` secrets (KnownSecrets); returns Findings (empty: none).
    ``key_encryption_key`` (the system's KEY_ENCRYPTION_KEY or SECRET_KEY) adds every
    security key billing keeps to the known secrets."""
    from tests.support import secret_sources as sources
    known = known if known is not None else KnownSecrets()
    findings = Findings()
    counts = findings.counts
    documents, issued = [], {"account_number": set(), "invoice_number": set(),
                             "sealed_keys": {}, "account_ids": {}, "invoice_accounts": {}}
    for name, url in (database_urls or {}).items():
        documents.extend(sources.database_documents(name, url, counts, issued))
    mails, log_lines = [], []
    if data_dir is not None:
        files, mails, log_lines = sources.data_dir_documents(data_dir, counts, issued)
        documents.extend(files)
    usernames = set()
    for mail in mails:  # first: a token in a second mail is then found like any other leak
        for token in delivered_tokens(mail):
            known.add_delivered_token(token, mail.where)
        usernames |= forgotten_usernames(mail)
    counts["forgotten usernames"] = len(usernames)
    events = list(events)
    counts["events"] = len(events)
    documents.extend(sources.event_documents(events))
    note_issued_keys(issued, documents, known, key_encryption_key)
    not_secret = NotSecret(issued["account_number"], issued["invoice_number"])
    counts["known secrets"] = len(known)
    searchable = known.searchable()
    counts["searched verbatim"] = len(searchable)
    for doc in documents + mails:
        scan_document(doc, known, not_secret, findings, searchable)
        if doc.table:
            scan_secret_columns(doc, findings)
            scan_kept_copies(doc, usernames, findings)
    for n, event in enumerate(events):
        scan_json_fields(f"events #{n} {event.exchange} {event.routing_key}",
                         {"body": event.payload(), "headers": event.headers}, findings)
    for where, data in log_lines:
        scan_json_fields(where, data, findings)
    counts["log lines"] = len(log_lines)
    return findings


def scan_running(system, known=None):
    """``scan_system`` over a tests.support.system.System: its service databases, its DATA_DIR and
    the events its capture queue received (drained now). For a run of its own (the chaos
    run), call tests.support.secret_collector.install() before the traffic and pass its KNOWN."""
    return scan_system(service_database_urls(system.env), system.data_dir,
                       system.events.drain(), known,
                       system.env.get("KEY_ENCRYPTION_KEY") or system.env.get("SECRET_KEY"))
