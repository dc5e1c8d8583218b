"""The gateway's HTTP behaviour that needs no service: problem documents, request ids,
staff auth, readiness, 503 mapping. Services are replaced by a table-driven fake client."""
import pytest

from gateway.app import create_app
from services.contracts.errors import InvalidInput
from services.runtime import config
from tests.support.fakes import FakeRpc

HEALTHY = {("identity", "health"): {"status": "ok"}, ("billing", "health"): {"status": "ok"},
           ("payments", "health"): {"status": "ok"}, ("notifications", "health"): {"status": "ok"}}


@pytest.fixture
def make_client(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token"})
        app = create_app(settings, rpc_client=rpc)
        return app.test_client()
    return make


STAFF = {"Authorization": "Bearer staff-token"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_unknown_paths_and_methods_are_problem_documents(make_client):
    client = make_client(FakeRpc(HEALTHY))
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    response = client.delete("/healthz")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_browser_gets_an_html_error_page_on_portal_paths(make_client):
    response = make_client(FakeRpc()).get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert b"24/7" in response.data


def test_malformed_json_is_a_400_problem(make_client):
    client = make_client(FakeRpc())
    response = client.post("/internal/v1/accounts", data="{nope", headers=STAFF,
                           content_type="application/json")
    body = assert_problem(response, 400)
    assert "body" in body["errors"]


def test_an_oversized_body_is_refused(make_client):
    client = make_client(FakeRpc())
    response = client.post("/internal/v1/accounts", data="x" * (2 * 1024 * 1024), headers=STAFF,
                           content_type="application/json")
    assert_problem(response, 413)


def test_the_staff_api_needs_the_admin_token(make_client):
    client = make_client(FakeRpc({("billing", "list_products"): []}))
    assert_problem(client.get("/internal/v1/products"), 401)
    assert_problem(client.get("/internal/v1/products", headers={"Authorization": "Bearer x"}), 403)
    assert client.get("/internal/v1/products", headers=STAFF).status_code == 200


def test_invalid_fields_are_named_before_any_service_is_called(make_client):
    rpc = FakeRpc()
    response = make_client(rpc).post("/internal/v1/accounts", json={"bill_cycle_day": 40},
                                     headers=STAFF)
    body = assert_problem(response, 400)
    assert {"company_name", "bill_cycle_day", "billing_address"} <= set(body["errors"])
    assert rpc.calls == []


def test_a_domain_error_from_a_service_keeps_its_field_errors(make_client):
    rpc = FakeRpc({("billing", "open_account"): InvalidInput({"services": {"0": ["Unknown"]}})})
    request = {"company_name": "A", "contact_name": "B", "email": "a@b.example",
               "phone": "415 555 0100", "bill_cycle_day": 2, "services": [{"code": "X"}],
               "billing_address": {"line1": "1", "city": "c", "state": "CA", "postal_code": "94105"}}
    body = assert_problem(make_client(rpc).post("/internal/v1/accounts", json=request,
                                                headers=STAFF), 400)
    assert body["errors"] == {"services": {"0": ["Unknown"]}}


def test_a_service_that_is_down_is_a_503_with_retry_after(make_client):
    response = make_client(FakeRpc(down={"billing"})).get("/internal/v1/products", headers=STAFF)
    body = assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert body["service"] == "billing"


def test_an_unexpected_error_is_a_500_with_the_request_id_and_no_trace(make_client):
    rpc = FakeRpc({("billing", "list_products"): ZeroDivisionError("boom")})
    response = make_client(rpc).get("/internal/v1/products",
                                    headers={**STAFF, "X-Request-ID": "abc-123"})
    body = assert_problem(response, 500)
    assert body["request_id"] == "abc-123" == response.headers["X-Request-ID"]
    assert "boom" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_request_id_is_echoed_or_generated_and_passed_to_services(make_client):
    rpc = FakeRpc({("billing", "list_products"): []})
    client = make_client(rpc)
    assert client.get("/healthz", headers={"X-Request-ID": "r-1"}).headers["X-Request-ID"] == "r-1"
    generated = client.get("/internal/v1/products", headers=STAFF).headers["X-Request-ID"]
    assert len(generated) == 32 and rpc.calls[-1][-1] == generated


def test_readyz_names_each_service_and_its_state(make_client):
    ready = make_client(FakeRpc(HEALTHY)).get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["services"] == {s: "ok" for s in
                                            ("identity", "billing", "payments", "notifications")}
    down = make_client(FakeRpc(HEALTHY, down={"payments"})).get("/readyz")
    assert down.status_code == 503 and down.headers["Retry-After"]
    assert down.get_json()["down"] == ["payments"]
    assert down.get_json()["services"]["payments"] == "down"


def test_the_openapi_document_and_docs_are_served(make_client):
    client = make_client(FakeRpc())
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/me" in spec["paths"] and "/internal/v1/accounts" not in spec["paths"]
    assert client.get("/docs").status_code == 200
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_metrics_count_requests_by_route_and_status_off_the_public_port(make_client):
    from gateway import observability
    client = make_client(FakeRpc())
    client.get("/healthz")
    assert_problem(client.get("/metrics"), 404)  # served on METRICS_PORT only (gunicorn.conf.py)
    text = observability.exposition().decode()
    assert 'bizportal_http_requests_total{method="GET",route="/healthz",status="200"}' in text


def test_a_service_whose_own_dependency_is_down_is_a_503_too(make_client):
    from services.contracts.errors import Unavailable
    rpc = FakeRpc({("billing", "list_products"): Unavailable("The identity service did not "
                                                             "answer in time.")})
    response = make_client(rpc).get("/internal/v1/products", headers=STAFF)
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0


def test_staff_run_reminders_for_a_date(make_client):
    rpc = FakeRpc({("notifications", "send_reminders"): {"bill_due": 2, "card_expiring": 1}})
    client = make_client(rpc)
    assert_problem(client.post("/internal/v1/reminder-runs", json={"run_date": "soon"},
                               headers=STAFF), 400)
    response = client.post("/internal/v1/reminder-runs", json={"run_date": "2026-12-10"},
                           headers=STAFF)
    assert response.status_code == 200
    assert response.get_json() == {"bill_due": 2, "card_expiring": 1}
    assert rpc.calls[-1][:3] == ("notifications", "send_reminders", ("2026-12-10",))
