"""An access token is honoured only for a session identity really opened and that is still
open (gateway/auth/sessions.py, gateway/session_cache.py): the gateway asks identity once per session
and remembers the answer in the worker, so many requests cost one RPC. Identity is a
table-driven fake client; the gateway is the real Flask app."""
import pytest

from gateway.auth import sessions, tokens
from gateway.app import create_app
from gateway.session_cache import SessionCache
from services.runtime import config
from tests.support.fakes import FakeRpc

SESSIONS = {"s-open": {"active": True, "user_id": "u1", "username": "sam.lee"}}
CLOSED = {"active": False, "user_id": None, "username": None}


def fake_rpc():
    return FakeRpc({
        ("identity", "get_session"): lambda session_id: SESSIONS.get(session_id, CLOSED),
        ("identity", "get_user"): lambda user_id: {
            "user_id": user_id, "username": "sam.lee", "email": "sam@bluebird.example",
            "first_name": "Sam", "last_name": "Lee"},
        ("identity", "list_user_accounts"): lambda user_id: [],
        ("billing", "get_company_names"): lambda numbers: {},
    })


@pytest.fixture
def make_app(tmp_path):
    def make(rpc):
        settings = config.load({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32})
        return create_app(settings, rpc_client=rpc)
    return make


def bearer(app, user_id, session_id):
    with app.app_context():
        return {"Authorization": f"Bearer {tokens.issue_access_token(user_id, session_id, 'sam.lee')}"}


def session_checks(rpc):
    return [c for c in rpc.calls if c[1] == "get_session"]


def test_a_token_for_a_session_identity_never_opened_is_refused(make_app):
    rpc = fake_rpc()
    app = make_app(rpc)
    response = app.test_client().get("/api/v1/me", headers=bearer(app, "u1", "made-up"))
    assert response.status_code == 401
    assert [c[2] for c in session_checks(rpc)] == [("made-up",)]


def test_a_token_naming_another_user_than_its_session_is_refused(make_app):
    app = make_app(fake_rpc())
    response = app.test_client().get("/api/v1/me", headers=bearer(app, "u2", "s-open"))
    assert response.status_code == 401


def test_many_requests_with_one_session_cost_one_session_check(make_app):
    rpc = fake_rpc()
    app = make_app(rpc)
    client, headers = app.test_client(), bearer(app, "u1", "s-open")
    for _ in range(20):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert len(session_checks(rpc)) == 1


def test_a_cached_session_that_ends_is_refused_at_once(make_app):
    rpc = fake_rpc()
    app = make_app(rpc)
    client, headers = app.test_client(), bearer(app, "u1", "s-open")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        sessions.revocations().add("s-open")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_cache_forgets_after_its_lifetime_and_holds_a_bounded_number():
    now = [1000.0]
    cache = SessionCache(ttl_seconds=600, max_entries=3, clock=lambda: now[0])
    cache.remember("s1", "u1")
    assert cache.user_of("s1") == "u1"
    now[0] += 601
    assert cache.user_of("s1") is None
    for n in range(5):
        cache.remember(f"s{n}", "u")
    assert len(cache) == 3 and cache.user_of("s0") is None and cache.user_of("s4") == "u"


def test_the_cache_lives_no_longer_than_an_access_token():
    assert SessionCache().ttl <= sessions.ACCESS_TOKEN_SECONDS
