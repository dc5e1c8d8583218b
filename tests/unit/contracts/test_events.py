"""A breaking change publishes version 2 alongside version 1 (events.py, "Versions"): its own
catalogue entry, routing key and envelope version, beside version 1's, in the same outbox.

Version 2 of statement_issued is made up here (the catalogue has no second version yet) and
put beside the real version 1 for the test's duration."""
import json
from datetime import date

import pytest
from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.orm import Session

from services.contracts import asyncapi, events
from services.runtime import outbox

V1 = events.BY_TYPE["billing.statement_issued"]
V2 = events.EventType("billing", "statement_issued.v2", V1.when, events._schema(
    "billing.statement_issued.v2", account_number=events._str(required=True),
    amount_due=events.fields.Dict(required=True)), version=2)  # cents and currency in one
STATEMENT = {"account_number": "8000123456789018", "invoice_number": "INV-1",
             "statement_date": date(2026, 10, 15), "due_date": date(2026, 11, 9),
             "amount_due_cents": 48250, "currency": "USD"}


@pytest.fixture
def with_v2(monkeypatch):
    monkeypatch.setitem(events.BY_TYPE, V2.type, V2)
    monkeypatch.setitem(events._schemas, V2.type, V2.schema())


def test_a_second_version_must_carry_its_version_in_its_name():
    with pytest.raises(ValueError, match=r"must end in \.v2"):
        events.EventType("billing", "statement_issued", "", V1.schema, version=2)


def test_every_event_in_the_catalogue_is_named_for_its_version():
    assert all(e.version == 1 and e.base_name == e.name for e in events.CATALOGUE)


def test_both_versions_go_in_one_transaction_each_with_its_routing_key_and_version(with_v2):
    meta = MetaData()
    table, _ = outbox.add_tables(meta)
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    with Session(engine) as session, session.begin():
        first = outbox.add(session, table, "billing", "statement_issued", STATEMENT)
        second = outbox.add(session, table, "billing", "statement_issued.v2", {
            "account_number": STATEMENT["account_number"],
            "amount_due": {"cents": 48250, "currency": "USD"}})
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.event_type, table.c.body)).all()
    # the relay routes each row by its event type without the source (relay.py)
    assert sorted(r.event_type.split(".", 1)[1] for r in rows) == [
        "statement_issued", "statement_issued.v2"]
    assert (first["version"], second["version"]) == (1, 2)
    assert json.loads(dict(rows)["billing.statement_issued.v2"])["data"]["amount_due"] == {
        "cents": 48250, "currency": "USD"}


def test_a_second_version_payload_is_checked_against_its_own_schema(with_v2):
    with pytest.raises(ValueError, match="statement_issued.v2"):
        outbox.envelope("billing", "statement_issued.v2", STATEMENT)


def test_the_asyncapi_document_lists_both_versions_on_their_own_routing_keys():
    document = asyncapi.document(events.CATALOGUE + [V2])
    assert document["channels"]["billing.statement_issued"]["address"] == "statement_issued"
    assert document["channels"]["billing.statement_issued.v2"]["address"] == \
        "statement_issued.v2"
    messages = document["components"]["messages"]
    assert messages["billing.statement_issued.v2"]["payload"]["properties"]["version"] == {
        "const": 2}
    assert "billing.statement_issued.v1" in messages
