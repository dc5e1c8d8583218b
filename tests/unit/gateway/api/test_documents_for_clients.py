"""The OpenAPI documents are fit to generate a client from (issue 12, point 4): each operation
has a chosen, unique operationId and a description, the server is named, dates say they are
dates, an optional object is "the model or null", downloads are bytes, and Redocly's
recommended rules (redocly.yaml) find no error. Built in this process, as gunicorn serves it,
with a fake RPC client; tests/e2e/test_generated_client.py then generates and uses a client.
"""
import json
import re
import subprocess

import pytest

from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc
from tests.support.paths import ROOT

REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
PUBLIC_URL = "https://portal.bizportal.example"
STAFF = {"Authorization": "Bearer staff-token"}
DATE_NAMES = re.compile(r"(^|_)(date|at)$|^scheduled_for$|^period_(start|end)$")
CAMEL_VERB_NOUN = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    settings = config.load({"DATA_DIR": str(tmp_path_factory.mktemp("clients")),
                            "ADMIN_TOKEN": "staff-token", "PUBLIC_URL": PUBLIC_URL})
    client = create_app(settings, rpc_client=FakeRpc()).test_client()
    return {"customer": client.get("/api/v1/openapi.json").get_json(),
            "staff": client.get("/internal/v1/openapi.json", headers=STAFF).get_json()}


def operations(documents):
    return [(f"{method.upper()} {path}", operation) for document in documents.values()
            for path, item in document["paths"].items()
            for method, operation in item.items() if method != "parameters"]


def properties(schema, where):
    """``(where, name, property)`` of every property in ``schema``, nested ones included."""
    for name, prop in schema.get("properties", {}).items():
        yield where, name, prop
        yield from properties(prop, f"{where}.{name}")
        yield from properties(prop.get("items", {}), f"{where}.{name}[]")


def test_every_operation_has_a_unique_camel_case_operation_id(documents):
    ids = [operation.get("operationId") for _, operation in operations(documents)]
    assert all(i and CAMEL_VERB_NOUN.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    named = {label: op["operationId"] for label, op in operations(documents)}
    assert named["GET /api/v1/accounts/{account_number}/summary"] == "getAccountSummary"
    assert named["POST /api/v1/accounts/{account_number}/payments"] == "createPayment"


def test_every_operation_has_a_summary_and_a_description(documents):
    for label, operation in operations(documents):
        assert operation.get("summary") and operation.get("description"), label
        assert "\n" not in operation["summary"], label


def test_both_documents_name_the_portal_as_their_server(documents):
    for document in documents.values():
        assert document["servers"] == [{"url": PUBLIC_URL, "description": "This portal"}]


def test_every_date_and_time_field_says_its_format(documents):
    unmarked = [f"{where}.{name}" for document in documents.values()
                for schema_name, schema in document["components"]["schemas"].items()
                for where, name, prop in properties(schema, schema_name)
                if DATE_NAMES.search(name) and prop.get("format") not in ("date", "date-time")]
    assert not unmarked, unmarked
    schemas = documents["customer"]["components"]["schemas"]
    assert schemas["AccountSummary"]["properties"]["due_date"]["format"] == "date"
    assert schemas["SummaryLastPayment"]["properties"]["paid_at"]["format"] == "date-time"


def test_an_optional_nested_object_is_its_model_or_null(documents):
    summary = documents["customer"]["components"]["schemas"]["AccountSummary"]["properties"]
    for name, model in (("last_payment", "SummaryLastPayment"), ("autopay", "SummaryAutopay")):
        assert summary[name]["anyOf"] == [
            {"$ref": f"#/components/schemas/{model}"},
            {"type": "object", "nullable": True, "enum": [None]}], name
    text = json.dumps(documents)
    assert '{"type": "object", "nullable": true}' not in text  # apispec's "any object"


def test_the_pdf_and_csv_downloads_are_documented_as_bytes(documents):
    paths = documents["customer"]["paths"]
    statement = "/api/v1/accounts/{account_number}/statements/{invoice_number}"
    binary = {"type": "string", "format": "binary"}
    for suffix, media_type in (("pdf", "application/pdf"), ("calls.csv", "text/csv")):
        content = paths[f"{statement}/{suffix}"]["get"]["responses"]["200"]["content"]
        assert content == {media_type: {"schema": binary}}


def test_no_component_goes_unused(documents):
    for name, document in documents.items():
        text = json.dumps(document["paths"]) + json.dumps(document["components"])
        for section in ("schemas", "responses", "parameters"):
            for component in document["components"].get(section, {}):
                assert f'"#/components/{section}/{component}"' in text, (name, component)


def test_redocly_finds_no_error_in_either_document(documents, tmp_path):
    assert REDOCLY.exists(), "Redocly's CLI is missing: run scripts/ensure-tools.sh"
    for name, document in documents.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        run = subprocess.run([str(REDOCLY), "lint", "--config", str(ROOT / "redocly.yaml"),
                              "--format=json", str(path)], capture_output=True, text=True,
                             timeout=120, cwd=tmp_path)
        report = json.loads(run.stdout)
        errors = [f"{p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
                  for p in report["problems"] if p["severity"] == "error"]
        assert report["totals"]["errors"] == 0 and not errors, (name, errors)
