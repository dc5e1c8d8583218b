"""A database that is away (restarting, unreachable) is errors.Unavailable, a 503 with
Retry-After at the gateway, not an unexpected error and a 500 (found by the chaos run's
PostgreSQL restart); a bug or a constraint stays what it is."""
import pytest
from sqlalchemy import MetaData, text
from sqlalchemy.exc import IntegrityError, ProgrammingError

from services.contracts.errors import Unavailable
from services.runtime import outbox
from services.runtime.database import is_outage, standalone


def metadata():
    meta = MetaData()
    outbox.add_tables(meta)
    return meta


def test_a_database_that_cannot_be_reached_is_unavailable(tmp_path):
    db = standalone("billing", f"sqlite:///{tmp_path}/missing/dir/db.sqlite3", metadata())
    with pytest.raises(Unavailable):
        with db.transaction() as tx:
            tx.session.execute(text("SELECT 1"))


def test_a_postgres_shutting_down_is_an_outage_and_a_bad_statement_is_not():
    shutting_down = ProgrammingError("SELECT 1", {}, Exception(
        {"S": "FATAL", "C": "57P03", "M": "the database system is shutting down"}))
    syntax = ProgrammingError("SELEC 1", {}, Exception({"S": "ERROR", "C": "42601"}))
    duplicate = IntegrityError("INSERT", {}, Exception({"S": "ERROR", "C": "23505"}))
    assert is_outage(shutting_down)
    assert not is_outage(syntax) and not is_outage(duplicate)


def test_a_bug_in_a_transaction_is_not_turned_into_unavailable(tmp_path):
    db = standalone("billing", f"sqlite:///{tmp_path}/db.sqlite3", metadata())
    with pytest.raises(Exception) as raised:
        with db.transaction() as tx:
            tx.session.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(raised.value, Unavailable)
