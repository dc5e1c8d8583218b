"""The authorisation matrix: every operation of the OpenAPI documents × every kind of caller who
must not get in → the status they must get (401 not signed in, 403 role too weak, 404 not
their account, as if it did not exist), always a bare problem document and never account data.

Generated from the documents, customers' and staff's (tests/e2e/authz_matrix.py): a new endpoint joins the matrix by
existing, and one that does not say who may call it fails here. The real services and gunicorn
gateway on the real broker and PostgreSQL; personas are real users made once per module.
"""
import time
from datetime import date, timedelta
import uuid

import pytest
import requests
from itsdangerous import URLSafeTimedSerializer

from gateway.auth.access import NOT_FOUND
from gateway.auth.sessions import ACCESS_TOKEN_SECONDS
from gateway.auth.tokens import _SALT
from tests.e2e import authz_matrix as matrix
from tests.support.auth_helpers import (PASSWORD, bearer, invite_and_accept, new_user,
                                        open_account)
from tests.support.payment_methods import CARD
from tests.support.soft_authenticator import SoftAuthenticator
from tests.support.system import eventually

DOCUMENTS = matrix.served_documents()
CELLS = matrix.cells(DOCUMENTS)
PROBLEM_FIELDS = {"type", "title", "status", "detail", "request_id"}



def token_of(session):
    return session.headers["Authorization"].partition(" ")[2]


def refused_on_every_worker(system, token):
    """True once several requests in a row (spread over the gateway's workers) refuse it."""
    return all(requests.get(system.url("/api/v1/me"), timeout=10,
                            headers={"Authorization": f"Bearer {token}"}).status_code == 401
               for _ in range(8))


def expired(system, token):
    """The same claims, correctly signed, but issued longer ago than a token lives."""
    class Past(URLSafeTimedSerializer.default_signer):
        def get_timestamp(self):
            return int(time.time()) - ACCESS_TOKEN_SECONDS - 60
    secret = system.env["SECRET_KEY"]
    claims = URLSafeTimedSerializer(secret, salt=_SALT).loads(token)
    return URLSafeTimedSerializer(secret, salt=_SALT, signer=Past).dumps(claims)


def tampered(token, user_id):
    """The token's claims rewritten to another user, its timestamp and signature kept."""
    serializer = URLSafeTimedSerializer("the attacker does not know the key", salt=_SALT)
    _, claims = serializer.loads_unsafe(token)
    payload = serializer.dump_payload(dict(claims, u=user_id)).decode()
    return payload + "." + token.rsplit(".", 2)[-2] + "." + token.rsplit(".", 1)[-1]


def sign_out(system, username):
    """A fresh session's token, after that session signed out (and every worker heard)."""
    session = bearer(system, username)
    assert session.post(system.url("/api/v1/auth/logout"), timeout=10).status_code == 204
    token = token_of(session)
    eventually(lambda: refused_on_every_worker(system, token))
    return token


@pytest.fixture(scope="module")
def world(system):
    """Company A (admin, viewer, billing user, a removed admin) with a statement, a card and a
    payment; company B's admin. Returns the path values and each persona's token."""
    owner = new_user(system)
    number = owner["account_number"]
    admin = bearer(system, owner["username"])
    staff = system.staff()
    run = staff.post(system.url("/internal/v1/bill-runs"), timeout=60,
                     json={"statement_date": "2026-10-15", "account_numbers": [number]})
    assert run.status_code == 200, run.text
    invoice = admin.get(system.url(f"/api/v1/accounts/{number}/statements"),
                        timeout=10).json()["items"][0]["invoice_number"]
    method = admin.post(system.url(f"/api/v1/accounts/{number}/payment-methods"), json=CARD,
                        timeout=10)
    assert method.status_code == 201, method.text
    payment = admin.post(system.url(f"/api/v1/accounts/{number}/payments"), timeout=10,
                         json={"amount_cents": 500, "payment_method_id": method.json()["id"],
                               "scheduled_for": str(date.today() + timedelta(days=30))},
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert payment.status_code == 201, payment.text

    _, viewer_name, viewer_id = invite_and_accept(system, admin, number, "viewer")
    _, billing_name, _ = invite_and_accept(system, admin, number, "billing")
    _, two_accounts_name, _ = invite_and_accept(system, admin, number, "viewer")
    two_accounts = bearer(system, two_accounts_name)
    own = open_account(system)  # no online ID yet: the viewer links it, as its admin
    linked = two_accounts.post(system.url("/api/v1/me/accounts"), timeout=10, json={
        "account_number": own["account_number"], "security_key": own["security_key"]})
    assert linked.status_code == 201 and linked.json()["role"] == "admin", linked.text
    assert {a["account_number"]: a["role"] for a in two_accounts.get(
        system.url("/api/v1/accounts"), timeout=10).json()["items"]} == {
        number: "viewer", own["account_number"]: "admin"}
    assert two_accounts.patch(  # its admin role works where it holds it
        system.url(f"/api/v1/accounts/{own['account_number']}/profile"), timeout=10,
        json={"contact_name": "Lee Park"}).status_code == 200
    _, removed_name, removed_id = invite_and_accept(system, admin, number, "admin")
    viewer = token_of(bearer(system, viewer_name))
    removed_old = token_of(bearer(system, removed_name))
    assert admin.delete(system.url(f"/api/v1/accounts/{number}/users/{removed_id}"),
                        timeout=10).status_code == 204
    eventually(lambda: refused_on_every_worker(system, removed_old))
    other = new_user(system)

    def first_notice():
        """the bill-ready notice reached the admin's message centre"""
        items = admin.get(system.url("/api/v1/me/notifications"), timeout=10).json()["items"]
        return items and items[-1]["id"]
    notice = eventually(first_notice, timeout=30)

    tokens = {
        "no token": None,
        "expired token": expired(system, token_of(admin)),
        "tampered token": tampered(viewer, owner["user_id"]),
        "signed-out session": sign_out(system, owner["username"]),
        "removed user, old token": removed_old,
        "another company's admin": token_of(bearer(system, other["username"])),
        "removed user, signed in again": token_of(bearer(system, removed_name)),
        "viewer": viewer,
        "viewer, invalid body": viewer,
        "billing user": token_of(bearer(system, billing_name)),
        matrix.TWO_ACCOUNTS: token_of(two_accounts),
        "customer token": token_of(admin),
    }
    # the admin's own session: another company's admin ending it must get 404 (and the
    # snapshot below, read with it, shows it still open)
    (admin_session,) = [s["id"] for s in admin.get(system.url("/api/v1/me/sessions"),
                                                   timeout=10).json()["items"] if s["current"]]
    values = {"account_number": number, "invoice_number": invoice,
              "method_id": method.json()["id"], "payment_id": payment.json()["id"],
              "user_id": viewer_id, "notification_id": notice, "session_id": admin_session,
              "passkey_id": add_passkey(system, admin)}
    secrets = [owner["company_name"], owner["email"], owner["username"],
               owner["security_key"], viewer_name]
    before = snapshot(system, admin, number)
    return {"tokens": tokens, "values": values, "secrets": secrets, "admin": admin,
            "before": before}


def add_passkey(system, admin):
    """The admin's passkey (another company's admin renaming or removing it must get 404),
    made at the address the tests call (PUBLIC_URL's host: on the relying party's list)."""
    started = admin.post(system.url("/api/v1/me/passkeys/options"), timeout=10,
                         json={"current_password": PASSWORD}).json()
    credential = SoftAuthenticator().create(started["options"], system.base_url)
    added = admin.post(system.url("/api/v1/me/passkeys"), timeout=10, json={
        "challenge_id": started["challenge_id"], "credential": credential, "name": "Desk"})
    assert added.status_code == 201, added.text
    return added.json()["id"]


def snapshot(system, admin, number):
    """What a refused caller could have changed, as the admin sees it."""
    def get(path):
        return admin.get(system.url(path), timeout=10).json()
    account = f"/api/v1/accounts/{number}"
    return {path: get(path) for path in (
        f"{account}/profile", f"{account}/invoice-delivery", f"{account}/users",
        f"{account}/payment-methods", f"{account}/payments", f"{account}/autopay",
        "/api/v1/me", "/api/v1/me/security-preferences", "/api/v1/me/notification-preferences",
        "/api/v1/me/passkeys")}


def fill(path, values):
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path.replace("{", "").replace("}", "")  # a parameter new to the matrix: any value


def operation(method, path):
    return matrix.document_of(DOCUMENTS, path)["paths"][path][method.lower()]


@pytest.mark.parametrize("method, path, persona, status", CELLS,
                         ids=[f"{m} {p} | {who} -> {s}" for m, p, who, s in CELLS])
def test_a_caller_without_the_right_gets_a_bare_refusal(system, world, method, path, persona,
                                                         status):
    op = operation(method, path)
    headers = matrix.headers_for(op)
    token = world["tokens"][persona]
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = matrix.request_body(op, matrix.document_of(DOCUMENTS, path))
    if persona == "viewer, invalid body":
        body = ["not", "an", "object"]
    response = requests.request(method, system.url(fill(path, world["values"])), json=body,
                                headers=headers, timeout=15)

    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert set(problem) <= PROBLEM_FIELDS and problem["status"] == status, problem
    if status == 404 and "{account_number}" in path:
        assert problem["detail"] == NOT_FOUND  # the account check answered, nothing further in
    for secret in world["secrets"]:
        assert secret not in response.text


OPERATIONS = matrix.operations(DOCUMENTS)


@pytest.mark.parametrize("method, path, op", OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_operation_says_who_may_call_it(method, path, op):
    role = op.get("x-required-role")
    assert role in ("public", "signed-in", "staff", "viewer", "billing", "admin"), (
        f"{method} {path} is not classified: decorate its view with gateway.auth.access.public, "
        "signed_in or account_scope(action)")
    assert (role == "public") == (op.get("security") == []), "the document's security disagrees"
    if role in ("viewer", "billing", "admin"):
        assert "{account_number}" in path and role in op["x-allowed-roles"]
    if role == "staff":
        assert path.startswith("/internal/")
    else:
        assert path.startswith("/api/v1/")


def test_the_matrix_covers_every_operation_the_running_gateway_serves(system):
    staff = system.staff()
    served = {name: staff.get(system.url(url), timeout=10).json()
              for name, url in matrix.DOCUMENT_URLS.items()}
    assert [(m, p) for m, p, _ in matrix.operations(served)] == \
        [(m, p) for m, p, _ in OPERATIONS]
    assert {name: d["paths"] for name, d in served.items()} == \
        {name: d["paths"] for name, d in DOCUMENTS.items()}


def test_no_refused_request_changed_anything(system, world):
    number = world["values"]["account_number"]
    assert snapshot(system, world["admin"], number) == world["before"]
    notices = world["admin"].get(system.url("/api/v1/me/notifications?limit=100"),
                                 timeout=10).json()["items"]
    assert [n["read"] for n in notices if n["id"] == world["values"]["notification_id"]] == [
        False]  # another user's "mark read" did not reach it
