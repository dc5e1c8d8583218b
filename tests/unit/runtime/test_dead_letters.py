"""Dead letters without a broker: what a parked message becomes, recording it once, one list
over several services' tables (in-memory SQLite), and the staff endpoints over a fake RPC."""
import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import MetaData, create_engine

from gateway.app import create_app
from services.contracts.errors import InvalidInput, NotFound
from services.runtime import config, dead_letters
from services.runtime import dead_letter_pages as pages
from tests.support.fakes import FakeRpc

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
QUEUE = "evt-billing-statement_issued--payments.on_statement_issued"


def parked_headers(at=T0, attempts=5, queue=QUEUE):
    return {"x-bizportal-attempts": attempts, "x-bizportal-error": "KeyError: 'due_date'",
            "x-bizportal-queue": queue, "x-bizportal-exchange": "billing.events",
            "x-bizportal-routing-key": "statement_issued", "x-bizportal-parked-at": at.isoformat(),
            "nameko.request_id": "req-1"}


def envelope(event_id="e-1"):
    return json.dumps({"event_id": event_id, "type": "billing.statement_issued", "data": {}})


@pytest.fixture
def db():
    metadata = MetaData()
    table = dead_letters.add_table(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as conn:
        yield conn, table


def test_a_parked_message_keeps_where_it_failed_why_and_how_often():
    fields = dead_letters.from_message(envelope(), parked_headers(), "application/json")
    assert (fields["queue"], fields["event_id"], fields["event_type"]) == (
        QUEUE, "e-1", "billing.statement_issued")
    assert (fields["attempts"], fields["parked_at"], fields["message_key"]) == (5, T0, "e-1")
    assert fields["error"] == "KeyError: 'due_date'"


def test_a_body_that_is_not_an_event_is_kept_by_its_hash():
    one = dead_letters.from_message("not json", {}, None)
    assert one["event_id"] is None and one["message_key"].startswith("sha256:")
    assert one["queue"] == "unknown"
    assert dead_letters.from_message("not json", {}, None)["message_key"] == one["message_key"]


def test_the_same_parking_delivered_twice_is_one_row_and_a_later_parking_parks_it_again(db):
    conn, table = db
    fields = dead_letters.from_message(envelope(), parked_headers(), "application/json")
    assert dead_letters.record(conn, table, fields) == "new"
    assert dead_letters.record(conn, table, dict(fields)) == "duplicate"
    row = dead_letters.claim(conn, table, 1)
    dead_letters.mark_replayed(conn, table, row)
    assert dead_letters.listing(conn, table, "payments")["items"] == []
    later = dead_letters.from_message(envelope(), parked_headers(at=T0 + timedelta(minutes=1)),
                                      "application/json")
    assert dead_letters.record(conn, table, later) == "parked again"
    [item] = dead_letters.listing(conn, table, "payments")["items"]
    assert (item["id"], item["status"], item["replay_count"]) == ("payments.1", "parked", 1)
    assert item["parked_at"] == (T0 + timedelta(minutes=1)).isoformat(timespec="microseconds")


def test_a_replay_drops_what_parking_added_so_attempts_start_again(db):
    conn, table = db
    dead_letters.record(conn, table, dead_letters.from_message(envelope(), parked_headers(), None))
    headers = dead_letters.replay_headers(dead_letters.claim(conn, table, 1))
    assert headers == {"nameko.request_id": "req-1"}
    with pytest.raises(NotFound):
        dead_letters.claim(conn, table, 99)


def test_one_list_over_several_services_pages_through_every_row_once_newest_first():
    """Two services whose rows share parking times: every row on exactly one page, in order."""
    tables = {}
    for service in ("billing", "payments"):
        metadata = MetaData()
        table = dead_letters.add_table(metadata)
        engine = create_engine("sqlite://")
        metadata.create_all(engine)
        tables[service] = (engine.connect(), table)
        for i in range(7):
            at = T0 + timedelta(seconds=i // 3)  # three rows per instant, across both services
            dead_letters.record(tables[service][0], table, dead_letters.from_message(
                envelope(f"{service}-{i}"), parked_headers(at=at), None))
    seen, cursor = [], None
    while True:
        key = pages.decode_cursor(cursor) if cursor else None
        page = pages.merge([dead_letters.listing(conn, table, service, 4,
                                                 pages.before_for(service, key))
                            for service, (conn, table) in tables.items()], 4)
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 14 == len({item["id"] for item in seen})
    keys = [(i["parked_at"], i["service"], int(i["id"].split(".")[1])) for i in seen]
    assert keys == sorted(keys, reverse=True)


def test_an_id_names_its_service_and_row():
    assert pages.parse_id("billing.17") == ("billing", 17)
    assert pages.parse_id("billing.2147483646") == ("billing", 2 ** 31 - 2)
    for unknown in ("nope.1", "billing.x", "billing.\u00b3", "billing." + "9" * 19, "billing",
                    "billing.2147483647"):  # (PostgreSQL's INTEGER holds no larger id)
        assert pages.parse_id(unknown) is None, unknown
    huge = base64.urlsafe_b64encode(json.dumps(
        ["dead_letters", "2026-11-24T00:00:00+00:00", "billing", 2 ** 31]).encode())
    for cursor in ("garbage!", "\u00e9t\u00e9", huge.decode()):
        with pytest.raises(InvalidInput):
            pages.decode_cursor(cursor)


# --- the staff endpoints -------------------------------------------------------------------

STAFF = {"Authorization": "Bearer staff-token"}


@pytest.fixture
def make_client(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token"})
        return create_app(settings, rpc_client=rpc).test_client()
    return make


def _item(service, row, at):
    return {"id": f"{service}.{row}", "service": service, "queue": QUEUE,
            "event_type": "billing.statement_issued", "event_id": "e", "error": "boom",
            "attempts": 5, "parked_at": at, "status": "parked", "replayed_at": None,
            "replay_count": 0, "body": {"event_id": "e"}}


def test_staff_list_every_services_dead_letters_newest_first(make_client):
    answers = {(s, "list_dead_letters"): {"items": [], "more": False}
               for s in ("identity", "notifications")}
    answers[("billing", "list_dead_letters")] = {
        "items": [_item("billing", 3, "2026-11-24T12:00:02.000000+00:00")], "more": False}
    answers[("payments", "list_dead_letters")] = {
        "items": [_item("payments", 9, "2026-11-24T12:00:05.000000+00:00")], "more": True}
    rpc = FakeRpc(answers)
    response = make_client(rpc).get("/internal/v1/dead-letters?limit=1", headers=STAFF)
    assert response.status_code == 200
    body = response.get_json()
    assert [i["id"] for i in body["items"]] == ["payments.9"]
    key = pages.decode_cursor(body["next_cursor"])
    assert key == ("2026-11-24T12:00:05.000000+00:00", "payments", 9)
    assert {c[0] for c in rpc.calls} == {"identity", "billing", "payments", "notifications"}


def test_staff_list_one_service_and_bad_queries_are_400(make_client):
    rpc = FakeRpc({("billing", "list_dead_letters"): {"items": [], "more": False}})
    client = make_client(rpc)
    response = client.get("/internal/v1/dead-letters?service=billing&include_replayed=true",
                          headers=STAFF)
    assert response.get_json() == {"items": [], "next_cursor": None}
    assert rpc.calls == [("billing", "list_dead_letters", (20, None, True), {}, rpc.calls[0][4])]
    for query in ("service=nope", "limit=0", "cursor=garbage!"):
        bad = client.get(f"/internal/v1/dead-letters?{query}", headers=STAFF)
        assert bad.status_code == 400 and bad.content_type == "application/problem+json", query


def test_staff_replay_a_dead_letter_by_id(make_client):
    rpc = FakeRpc({("payments", "replay_dead_letter"): {
        "id": "payments.9", "replayed_at": "2026-11-24T12:01:00+00:00", "replay_count": 1},
        ("billing", "replay_dead_letter"): NotFound("No such dead letter.")})
    client = make_client(rpc)
    response = client.post("/internal/v1/dead-letters/payments.9/replay", headers=STAFF)
    assert response.status_code == 202 and response.get_json()["id"] == "payments.9"
    assert rpc.calls[-1][:3] == ("payments", "replay_dead_letter", (9,))
    for unknown in ("billing.4", "nope.1", "payments.x"):
        missing = client.post(f"/internal/v1/dead-letters/{unknown}/replay", headers=STAFF)
        assert missing.status_code == 404, unknown


def test_a_service_that_is_down_makes_the_dead_letters_a_503(make_client):
    client = make_client(FakeRpc({}, down={"billing", "payments"}))
    listed = client.get("/internal/v1/dead-letters?service=billing", headers=STAFF)
    replayed = client.post("/internal/v1/dead-letters/payments.1/replay", headers=STAFF)
    for response in (listed, replayed):
        assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert client.get("/internal/v1/dead-letters", headers={}).status_code == 401
