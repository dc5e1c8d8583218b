"""The sandbox processor's charge journal: what a real processor remembers about charges.

Stripe keeps every charge under its idempotency key: asking again with a key already seen
returns the first charge and moves no money. The sandbox does the same with a small SQLite file
(DATA_DIR/processor/charges.sqlite3) so that it holds across restarts and is shared by every
payments replica on the machine; the chaos run reads it to prove no payment was charged twice.
Without a path (unit tests) the journal lives in memory for the life of the processor.
"""
import sqlite3
import threading
from pathlib import Path

from services.runtime import clock



SCHEMA = """CREATE TABLE IF NOT EXISTS charges (
    idempotency_key TEXT PRIMARY KEY, token TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL, reference TEXT, failure_code TEXT,
    created_at TEXT NOT NULL, asked INTEGER NOT NULL DEFAULT 1)"""
FIELDS = ("status", "reference", "failure_code")
# a refund names the charge it gives back (its reference); the journal refuses more than the
# charge took, as a real processor does
REFUNDS_SCHEMA = """CREATE TABLE IF NOT EXISTS refunds (
    idempotency_key TEXT PRIMARY KEY, charge_reference TEXT NOT NULL,
    amount_cents INTEGER NOT NULL, status TEXT NOT NULL, reference TEXT, failure_code TEXT,
    created_at TEXT NOT NULL, asked INTEGER NOT NULL DEFAULT 1)"""


class ChargeJournal:
    def __init__(self, path=None):
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._memory = None if self.path else self._connect()

    def _connect(self):
        if self.path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
        conn.execute(REFUNDS_SCHEMA)
        return conn

    def refund_once(self, key, charge_reference, amount_cents, decide):
        """The refund stored under ``key``: the first one, or ``decide(charged, refunded)``'s
        (what the charge took, what its succeeded refunds gave back), recorded now. Returns
        ``(fields, first)`` as ``record_once`` does."""
        with self._lock:
            conn = self._memory or self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")  # one writer at a time across replicas
                row = conn.execute(f"SELECT {', '.join(FIELDS)} FROM refunds "
                                   "WHERE idempotency_key = ?", (key,)).fetchone()
                if row is not None:
                    conn.execute("UPDATE refunds SET asked = asked + 1 WHERE idempotency_key = ?",
                                 (key,))
                    conn.execute("COMMIT")
                    return dict(zip(FIELDS, row)), False
                charged = conn.execute(
                    "SELECT amount_cents FROM charges WHERE reference = ? AND status IN "
                    "('succeeded', 'pending')", (charge_reference,)).fetchone()
                refunded = conn.execute(
                    "SELECT coalesce(sum(amount_cents), 0) FROM refunds WHERE "
                    "charge_reference = ? AND status = 'succeeded'",
                    (charge_reference,)).fetchone()[0]
                fields = decide(charged[0] if charged else None, refunded)
                conn.execute(
                    "INSERT INTO refunds (idempotency_key, charge_reference, amount_cents, status,"
                    " reference, failure_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (key, charge_reference, amount_cents, fields["status"], fields["reference"],
                     fields.get("failure_code"), clock.now().isoformat()))
                conn.execute("COMMIT")
                return fields, True
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                if self._memory is None:
                    conn.close()

    def record_once(self, key, token, amount_cents, currency, decide):
        """The charge stored under ``key``: the first one, or ``decide()``'s, recorded now.
        Returns ``(fields, first)`` where ``first`` is True when this call made the charge."""
        with self._lock:
            conn = self._memory or self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")  # one writer at a time across replicas
                row = conn.execute(f"SELECT {', '.join(FIELDS)} FROM charges "
                                   "WHERE idempotency_key = ?", (key,)).fetchone()
                if row is not None:
                    conn.execute("UPDATE charges SET asked = asked + 1 WHERE idempotency_key = ?",
                                 (key,))
                    conn.execute("COMMIT")
                    return dict(zip(FIELDS, row)), False
                fields = decide()
                conn.execute(
                    "INSERT INTO charges (idempotency_key, token, amount_cents, currency, status,"
                    " reference, failure_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, token, amount_cents, currency, fields["status"], fields["reference"],
                     fields.get("failure_code"), clock.now().isoformat()))
                conn.execute("COMMIT")
                return fields, True
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                if self._memory is None:
                    conn.close()

    def charges(self):
        """Every recorded charge as a dict (for tests and the chaos run's invariants)."""
        return self._rows("charges")

    def refunds(self):
        """Every recorded refund as a dict (for tests and the chaos run's invariants)."""
        return self._rows("refunds")

    def _rows(self, table):
        with self._lock:
            conn = self._memory or self._connect()
            try:
                cursor = conn.execute(f"SELECT * FROM {table} ORDER BY created_at")
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor]
            finally:
                if self._memory is None:
                    conn.close()


def journal_path(data_dir):
    return Path(data_dir) / "processor" / "charges.sqlite3"
