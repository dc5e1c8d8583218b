"""The served OpenAPI documents are complete: every route of the JSON APIs is in one of them
(customers' /api/v1/openapi.json, staff's /internal/v1/openapi.json) with each of its methods,
and every operation lists its error answers as problem documents (what the fuzzing tests in
tests/fuzz then hold the running system to)."""
import os
import re
import subprocess
import sys

import pytest

from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc

API_PREFIXES = ("/api/v1/", "/internal/v1/")
SERVED_BY_FLASK_SMOREST = {"/api/v1/openapi.json", "/internal/v1/openapi.json"}
DOCUMENTS = SERVED_BY_FLASK_SMOREST | {"/api/v1/asyncapi.json"}  # no operations of their own
STAFF = {"Authorization": "Bearer staff-token"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = config.load({"DATA_DIR": str(tmp_path_factory.mktemp("openapi")),
                            "ADMIN_TOKEN": "staff-token"})
    return create_app(settings, rpc_client=FakeRpc())


@pytest.fixture(scope="module")
def customer_document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def staff_document(app):
    return app.test_client().get("/internal/v1/openapi.json", headers=STAFF).get_json()


@pytest.fixture(scope="module", params=["customer", "staff"])
def document(request, customer_document, staff_document):
    return {"customer": customer_document, "staff": staff_document}[request.param]


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation


def test_every_json_api_route_and_method_is_in_its_document(app, customer_document,
                                                            staff_document):
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIXES) or rule.rule in DOCUMENTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        document = staff_document if path.startswith("/internal/") else customer_document
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from the OpenAPI documents: {sorted(missing)}"


def test_the_customer_document_lists_customer_operations_only(customer_document,
                                                              staff_document):
    assert customer_document["paths"] and staff_document["paths"]
    assert all(path.startswith("/api/v1/") for path in customer_document["paths"])
    assert all(path.startswith("/internal/v1/") for path in staff_document["paths"])
    assert set(customer_document["components"]["securitySchemes"]) == {"bearer"}
    assert set(staff_document["components"]["securitySchemes"]) == {"staff"}


def test_the_staff_document_is_served_only_with_the_staff_token(app):
    client = app.test_client()
    assert_refused(client.get("/internal/v1/openapi.json"), 401)
    assert_refused(client.get("/internal/v1/openapi.json",
                              headers={"Authorization": "Bearer a-customer-token"}), 403)


def assert_refused(response, status):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert "paths" not in response.get_json()


def test_every_error_answer_is_a_documented_problem_document(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert "default" not in responses, (method, path)
        assert "503" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], \
                    (method, path, status)
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}
                assert response["description"]
        for status in ("429", "503"):
            if status in responses:
                assert responses[status]["headers"]["Retry-After"]["required"] is True


def test_operations_needing_a_token_document_401_and_account_paths_404(document):
    for path, method, operation in operations(document):
        if operation.get("security"):
            assert "401" in operation["responses"], (method, path)
        if "{account_number}" in path:
            assert "404" in operation["responses"], (method, path)
        if path.startswith("/internal/"):
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(operation["responses"]), (method, path)


def test_account_actions_not_every_role_may_take_document_403(customer_document):
    document = customer_document
    summary = document["paths"]["/api/v1/accounts/{account_number}/summary"]["get"]
    invite = document["paths"]["/api/v1/accounts/{account_number}/users"]["post"]
    assert "403" not in summary["responses"]
    assert "403" in invite["responses"]


def test_downloads_document_their_content_types(customer_document):
    document = customer_document
    statement = "/api/v1/accounts/{account_number}/statements/{invoice_number}"
    pdf = document["paths"][f"{statement}/pdf"]["get"]["responses"]["200"]["content"]
    csv = document["paths"][f"{statement}/calls.csv"]["get"]["responses"]["200"]["content"]
    assert list(pdf) == ["application/pdf"] and list(csv) == ["text/csv"]


def test_a_503_answer_has_the_documented_problem_fields(tmp_path):
    settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token"})
    client = create_app(settings, rpc_client=FakeRpc(down={"billing"})).test_client()
    response = client.get("/internal/v1/products", headers={"Authorization": "Bearer staff-token"})
    problem = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Problem"]
    body = response.get_json()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert set(problem["required"]) <= set(body) <= set(problem["properties"])


DUMP = """
import sys, tempfile
from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc
with tempfile.TemporaryDirectory() as tmp:
    app = create_app(config.load({"DATA_DIR": tmp, "ADMIN_TOKEN": "staff-token"}),
                     rpc_client=FakeRpc())
    client = app.test_client()
    sys.stdout.buffer.write(client.get("/api/v1/openapi.json").data)
    sys.stdout.buffer.write(client.get("/internal/v1/openapi.json",
                                       headers={"Authorization": "Bearer staff-token"}).data)
"""


def test_every_gateway_process_serves_the_same_bytes_whatever_its_hash_seed():
    dumps = {subprocess.run([sys.executable, "-c", DUMP], capture_output=True, check=True,
                            env=dict(os.environ, PYTHONHASHSEED=seed)).stdout
             for seed in ("1", "2", "3")}
    assert len(dumps) == 1
