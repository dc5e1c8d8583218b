"""What the system keeps, read as labelled text for the secret scan (tests/support/secret_scan.py):
database tables by reflection, files under DATA_DIR (Maildir messages decoded part by part,
PDFs as page text plus their raw bytes, SQLite files as tables plus raw bytes, anything else as
lines), and captured events."""
import email
import email.policy
import json
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select

from services.runtime.database import engine_url
from tests.support.secret_scan import Document

SQLITE_MAGIC = b"SQLite format 3\x00"
MAILDIR_FOLDERS = {"new", "cur", "tmp"}


def as_text(value):
    """The text a column value could hide a secret in; None for dates, floats and booleans."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, int):
        return str(value)  # a card number kept in a BIGINT is still a card number
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return None


# billing's tables whose numbers are not secrets (tests/support/secret_scan.py, NotSecret)
ISSUED = {"accounts": "account_number", "statements": "invoice_number"}


def note_billing_row(table, row, issued):
    """What the scan needs of billing's accounts and statements: each account's sealed key (to
    know every key issued) and which account each invoice is of (its PDF may print that key)."""
    if table == "accounts" and "security_key_sealed" in row:
        issued["sealed_keys"][row["account_number"]] = row["security_key_sealed"]
        issued["account_ids"][row["id"]] = row["account_number"]
    elif table == "statements" and "account_id" in row:
        issued["invoice_accounts"][str(row["invoice_number"])] = row["account_id"]


def database_documents(name, url, counts, issued):
    """One Document per table of the database at ``url``; adds to ``issued`` the account and
    invoice numbers billing issued (Luhn-valid by design or by chance, not secrets)."""
    engine = create_engine(engine_url(url))
    documents = []
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                key_columns = [c.name for c in table.primary_key.columns]
                parts = []
                for row in connection.execute(select(table)).mappings():
                    counts["rows"] = counts.get("rows", 0) + 1
                    # ids only, cut short: the label must never print a secret kept as a key
                    key = ",".join(str(row[c])[:12] for c in key_columns)
                    for column, value in row.items():
                        text = as_text(value)
                        if text:
                            parts.append((f"{column} [{key}]", text))
                    column = ISSUED.get(table.name)
                    if column and row.get(column):
                        issued[column].add(str(row[column]))
                        note_billing_row(table.name, row, issued)
                documents.append(Document(f"{name} database, table {table.name}", parts,
                                          table=table.name))
                counts["tables"] = counts.get("tables", 0) + 1
    finally:
        engine.dispose()
    return documents


def mail_document(path, where):
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    headers = "\n".join(f"{k}: {v}" for k, v in message.items())
    parts = [("headers", headers)]
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append((f"part {number} {part.get_content_type()}",
                      payload.decode(part.get_content_charset() or "utf-8", errors="replace")))
    return Document(where, parts)


def pdf_document(path, where):
    from pypdf import PdfReader
    parts = [(f"page {n + 1}", page.extract_text() or "")
             for n, page in enumerate(PdfReader(str(path)).pages)]
    parts.append(("raw bytes", path.read_bytes().decode("latin-1")))
    return Document(where, parts)


def lines_document(path, where):
    text = path.read_bytes().decode("utf-8", errors="replace")
    return Document(where, [(f"line {n + 1}", line) for n, line in enumerate(text.split("\n"))])


def json_lines(path):
    """(line number, parsed JSON) of each JSON line of a log file."""
    for number, line in enumerate(path.read_text(errors="replace").split("\n")):
        if line.startswith("{"):
            try:
                yield number + 1, json.loads(line)
            except ValueError:
                continue


def data_dir_documents(data_dir, counts, issued):
    """(documents, mail documents, JSON log lines); SQLite files' numbers go to ``issued``."""
    documents, mails, log_lines = [], [], []
    root = Path(data_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        where = str(path.relative_to(root))
        counts["files"] = counts.get("files", 0) + 1
        if path.parent.name in MAILDIR_FOLDERS:
            mails.append(mail_document(path, where))
            counts["mails"] = counts.get("mails", 0) + 1
            continue
        if path.suffix == ".pdf":
            documents.append(pdf_document(path, where))
            counts["pdfs"] = counts.get("pdfs", 0) + 1
            continue
        with path.open("rb") as handle:
            is_sqlite = handle.read(16) == SQLITE_MAGIC
        if is_sqlite:
            documents.extend(database_documents(where, f"sqlite:///{path}", counts, issued))
        # the raw bytes too: a SQLite file keeps deleted rows in its free pages
        documents.append(lines_document(path, where))
        if path.suffix == ".log":
            log_lines.extend((f"{where} line {n}", data) for n, data in json_lines(path))
    return documents, mails, log_lines


def event_documents(events):
    return [Document("events", [(f"#{n} {e.exchange} {e.routing_key}", e.text())
                                for n, e in enumerate(events)])]
