"""identity's account users in a nameko container on a real broker and database (SQLite and
PostgreSQL): invitations (single-use, 7 days, hashed), roles, the last-admin rule, removal
ending sessions, and the audit trail fed by billing's and payments' events (once per event).
billing and notifications are fakes (tests/support/identity_service.py)."""
import uuid
from datetime import datetime, timezone

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.runtime.database import engine_url
from tests.support import identity_service
from tests.support.identity_service import (ACCOUNT, PASSWORD, IdentityUnderTest,
                                          signup_request)

WHERE = {"ip": "198.51.100.7", "user_agent": "pytest"}


def rpc(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def execute(container, sql, **params):
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.begin() as conn:
        result = conn.execute(text(sql), params)
        rows = result.all() if result.returns_rows else None
    engine.dispose()
    return rows


@pytest.fixture
def identity(start_service):
    identity_service.SENT.clear()
    container = start_service(IdentityUnderTest)
    container.admin = rpc(container, "signup", signup_request())["user_id"]
    return container


def invite(container, email="guest@harbor.example", role="viewer"):
    rpc(container, "invite_user", ACCOUNT, container.admin, {"email": email, "role": role},
        actor=WHERE, company_name="Harbor Dental")
    mail = [k for n, k in identity_service.SENT if k.get("template") == "invitation"][-1]
    return mail["context"]["link"].split("token=")[1]


def accept(container, token, username="lee.park"):
    return rpc(container, "accept_invitation", {
        "token": token, "username": username, "password": PASSWORD, "first_name": "Lee",
        "last_name": "Park"}, actor=WHERE)


def test_an_invitation_is_mailed_hashed_single_use_and_creates_the_role(identity):
    token = invite(identity)
    assert token not in str(execute(identity, "SELECT * FROM invitations"))
    assert token not in str(execute(identity, "SELECT body FROM outbox"))
    assert rpc(identity, "get_invitation", token)["role"] == "viewer"
    created = accept(identity, token)
    assert rpc(identity, "get_account_role", created["user_id"], ACCOUNT) == "viewer"
    with pytest.raises(Refused):
        accept(identity, token, "other.person")
    types = [r[0] for r in execute(identity, "SELECT event_type FROM outbox")]
    assert types.count("identity.user_invited") == 1
    assert types.count("identity.user_registered") == 2


def test_an_expired_invitation_is_refused(identity):
    token = invite(identity)
    execute(identity, "UPDATE invitations SET expires_at = :t",
            t=datetime(2020, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(Refused):
        accept(identity, token)
    assert execute(identity, "SELECT count(*) FROM users")[0][0] == 1


def test_bad_invitations_and_roles_are_field_errors(identity):
    with pytest.raises(InvalidInput):
        rpc(identity, "invite_user", ACCOUNT, identity.admin, {"email": "x", "role": "viewer"})
    with pytest.raises(InvalidInput):
        rpc(identity, "invite_user", ACCOUNT, identity.admin,
            {"email": "a@b.example", "role": "owner"})
    with pytest.raises(InvalidInput):
        accept(identity, invite(identity), username="x")


def test_the_last_admin_stays_and_removal_ends_sessions(identity):
    with pytest.raises(Conflict):
        rpc(identity, "change_user_role", ACCOUNT, identity.admin, identity.admin, "viewer")
    with pytest.raises(Conflict):
        rpc(identity, "remove_user", ACCOUNT, identity.admin, identity.admin)
    guest = accept(identity, invite(identity, role="admin"))
    rpc(identity, "sign_in", "lee.park", PASSWORD)
    assert rpc(identity, "change_user_role", ACCOUNT, identity.admin, identity.admin,
               "billing")["role"] == "billing"
    rpc(identity, "change_user_role", ACCOUNT, guest["user_id"], identity.admin, "admin")
    rpc(identity, "remove_user", ACCOUNT, identity.admin, guest["user_id"], actor=WHERE)
    assert rpc(identity, "get_account_role", guest["user_id"], ACCOUNT) is None
    open_sessions = execute(identity, "SELECT count(*) FROM sessions WHERE user_id = :u AND "
                            "ended_at IS NULL", u=guest["user_id"])
    assert open_sessions == [(0,)]
    with pytest.raises(NotFound):
        rpc(identity, "remove_user", ACCOUNT, identity.admin, guest["user_id"])


def test_the_audit_trail_records_who_when_where_and_other_services_events_once(identity):
    invite(identity)
    event = {"event_id": str(uuid.uuid4()), "type": "payments.payment_method_added",
             "source": "payments", "occurred_at": datetime.now(timezone.utc).isoformat(),
             "data": {"account_number": ACCOUNT, "payment_method_id": "pm1", "type": "card",
                      "last4": "4242", "actor_user_id": identity.admin, "ip": "192.0.2.1"}}
    rpc(identity, "on_payment_method_added", event)
    rpc(identity, "on_payment_method_added", event)  # redelivered
    trail = rpc(identity, "list_account_audit", ACCOUNT)["items"]
    assert [e["action"] for e in trail] == ["payment method added", "user invited"]
    assert trail[0]["detail"] == "card ending in 4242" and trail[0]["ip"] == "192.0.2.1"
    assert trail[1]["actor_username"] == "sam.lee" and trail[1]["ip"] == WHERE["ip"]
    assert trail[1]["user_agent"] == "pytest"
    first = rpc(identity, "list_account_audit", ACCOUNT, 1)
    rest = rpc(identity, "list_account_audit", ACCOUNT, 1, first["next_cursor"])
    assert [e["action"] for e in first["items"] + rest["items"]] == [
        "payment method added", "user invited"]
    assert rpc(identity, "list_account_audit", "4111111111111111")["items"] == []
