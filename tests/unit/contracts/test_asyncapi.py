"""docs/asyncapi.json: generated from the event catalogue, kept current, and valid by the
AsyncAPI initiative's own parser (node_modules/@asyncapi/parser, installed by
scripts/ensure-tools.sh). Its examples are checked against the catalogue's marshmallow schemas
(what the outbox enforces) and against the JSON Schemas the document gives readers."""
import copy
import json
import subprocess
from pathlib import Path

import jsonschema_rs  # pinned through schemathesis (pyproject's test extra)
import pytest

from gateway.app import create_app
from services.contracts import asyncapi
from services.contracts.events import CATALOGUE
from services.contracts.names import SERVICES
from services.runtime import config
from tests.support.fakes import FakeRpc
from tests.support.paths import ROOT

DOCUMENT = ROOT / "docs" / "asyncapi.json"
VALIDATOR = Path(__file__).with_name("validate_asyncapi.mjs")


def parsed(path):
    """What @asyncapi/parser says of the document at ``path``."""
    result = subprocess.run(["node", str(VALIDATOR), str(path)], cwd=ROOT, check=False,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_committed_asyncapi_document_matches_the_catalogue():
    assert DOCUMENT.read_text() == asyncapi.render(), "run `make docs`"


def test_the_asyncapi_parser_finds_no_error_and_reads_every_event_and_stream():
    result = parsed(DOCUMENT)
    errors = [d for d in result["diagnostics"] if d["severity"] == 0]
    assert errors == []
    held = result["document"]
    assert held["version"] == "3.0.0"
    assert sorted(held["messages"]) == sorted(f"{e.type}.v1" for e in CATALOGUE)
    assert set(held["channels"]) == {e.type for e in CATALOGUE} | {
        f"{s}.events.stream" for s in SERVICES}
    assert held["examples"] == [1] * len(CATALOGUE)


def test_the_parser_reports_an_operation_on_a_channel_that_does_not_exist(tmp_path):
    broken = asyncapi.document()
    broken["operations"]["publish.billing.statement_issued"]["channel"]["$ref"] = "#/channels/x"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    assert any(d["severity"] == 0 and d["code"] == "invalid-ref"
               for d in parsed(tmp_path / "broken.json")["diagnostics"])


@pytest.mark.parametrize("event", CATALOGUE, ids=lambda e: e.type)
def test_each_example_is_one_the_outbox_would_publish_and_the_document_describes(event):
    document = asyncapi.document()
    message = document["components"]["messages"][f"{event.type}.v1"]
    example = message["examples"][0]["payload"]
    event.schema().load(example["data"])  # raises on a field it would refuse or not know
    payload = copy.deepcopy(message["payload"])
    payload["properties"]["data"] = document["components"]["schemas"][f"{event.type}.v1"]
    jsonschema_rs.Draft7Validator(payload).validate(example)
    assert not jsonschema_rs.Draft7Validator(payload).is_valid(
        {**example, "data": {**example["data"], **{k: 5 for k in example["data"]}}})


def test_each_event_says_its_exchange_its_routing_key_and_its_stream():
    document = asyncapi.document()
    channel = document["channels"]["payments.payment_succeeded"]
    assert channel["address"] == "payment_succeeded"
    assert channel["bindings"]["amqp"]["exchange"]["name"] == "payments.events"
    stream = document["channels"]["payments.events.stream"]
    assert stream["bindings"]["amqp"]["queue"]["name"] == "payments.events.stream"
    assert {"$ref": "#/components/messages/payments.payment_succeeded.v1"} in \
        stream["messages"].values()


def test_the_gateway_serves_the_document_to_anyone_without_signing_in(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token"})
    response = create_app(settings, rpc_client=FakeRpc()).test_client().get(
        "/api/v1/asyncapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == DOCUMENT.read_text()
