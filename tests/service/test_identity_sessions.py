"""A user's own sessions in identity, in a nameko container on a real broker and database
(SQLite and PostgreSQL): the list of open sessions, ending one, ending every one but the
current, and when a session was last seen. billing and notifications are fakes
(tests/support/identity_service.py); alerts are read from identity's outbox."""
import json

import pytest

from services.contracts.errors import InvalidInput, NotFound, Unauthenticated
from services.identity import sessions
from tests.support.containers import hook as rpc
from tests.support.containers import rows
from tests.support.identity_service import (OTHER_ACCOUNT, PASSWORD, from_ip, signup_request,
                                            start_identity)

WHERE = {"ip": "203.0.113.9", "user_agent": "pytest"}


def events(container, event_type):
    return [json.loads(body)["data"] for (body,) in rows(
        container, "SELECT body FROM outbox WHERE event_type = :t ORDER BY created_at",
        t=event_type)]


@pytest.fixture
def identity(start_service):
    container = start_identity(start_service)
    container.user_id = container.admin
    return container


def sign_in(identity, ip="10.0.0.1", user_agent="Firefox/133.0", username="sam.lee"):
    return rpc(identity, "sign_in", username, PASSWORD, actor=from_ip(ip, user_agent))


def test_the_list_shows_each_open_session_newest_first_and_marks_the_current(identity):
    first = sign_in(identity, "10.0.0.1", "Firefox/133.0")
    second = sign_in(identity, "2001:db8::7", "BizPortal-iOS/2.1")
    ended = sign_in(identity)
    rpc(identity, "end_session", ended["session_id"])

    listed = rpc(identity, "list_sessions", identity.user_id, second["session_id"])
    assert listed["next_cursor"] is None
    assert [s["id"] for s in listed["items"]] == [second["session_id"], first["session_id"]]
    newest, oldest = listed["items"]
    assert newest["current"] is True and oldest["current"] is False
    assert (newest["ip"], newest["user_agent"]) == ("2001:db8::7", "BizPortal-iOS/2.1")
    assert (oldest["ip"], oldest["user_agent"]) == ("10.0.0.1", "Firefox/133.0")
    assert set(newest) == {"id", "created_at", "last_seen_at", "ip", "user_agent", "current"}
    assert newest["last_seen_at"] == newest["created_at"]  # never used since it opened
    assert first["refresh_token"] not in json.dumps(listed)


def test_the_list_pages_with_a_cursor_and_refuses_one_it_did_not_give(identity):
    opened = [sign_in(identity)["session_id"] for _ in range(3)]
    page = rpc(identity, "list_sessions", identity.user_id, None, 2)
    rest = rpc(identity, "list_sessions", identity.user_id, None, 2, page["next_cursor"])
    assert page["next_cursor"] and rest["next_cursor"] is None
    assert [s["id"] for s in page["items"] + rest["items"]] == opened[::-1]
    with pytest.raises(InvalidInput) as refused:
        rpc(identity, "list_sessions", identity.user_id, None, 2, "not a cursor")
    assert "cursor" in refused.value.errors


@pytest.mark.parametrize("method, args", [
    ("list_sessions", ("user", None)), ("list_invitations", (OTHER_ACCOUNT,)),
    ("list_account_audit", (OTHER_ACCOUNT,))])
def test_a_limit_out_of_range_is_refused_not_clamped(identity, method, args):
    for limit in (0, 101, "20"):
        with pytest.raises(InvalidInput) as refused:
            rpc(identity, method, *args, limit)
        assert refused.value.errors == {"limit": ["A number from 1 to 100."]}, (method, limit)


def test_ending_a_session_stops_its_refresh_token_and_tells_the_gateways(identity):
    kept, other = sign_in(identity), sign_in(identity, "198.51.100.4", "Safari/18")
    rpc(identity, "end_user_session", identity.user_id, other["session_id"], actor=WHERE)

    assert not rpc(identity, "get_session", other["session_id"])["active"]
    with pytest.raises(Unauthenticated):
        rpc(identity, "refresh_session", other["refresh_token"])
    assert rpc(identity, "get_session", kept["session_id"])["active"]
    assert events(identity, "identity.session_ended") == [
        {"user_id": identity.user_id, "session_id": other["session_id"],
         "reason": "ended_by_user"}]
    (audited,) = rows(identity, "SELECT action, detail, ip FROM audit_entries "
                                "WHERE action = 'session ended'")
    assert audited == ("session ended", "Safari/18 from 198.51.100.4", "203.0.113.9")
    assert [s["id"] for s in rpc(identity, "list_sessions", identity.user_id)["items"]] == [
        kept["session_id"]]


def test_another_users_an_unknown_or_an_ended_session_is_not_found(identity):
    mine = sign_in(identity)
    rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT, username="kim.ortiz",
                                           email="kim@bluebird.example"))
    theirs = sign_in(identity, username="kim.ortiz")
    ended = sign_in(identity)
    rpc(identity, "end_session", ended["session_id"])
    for session_id in (theirs["session_id"], "no-such-session", "x" * 5000,
                       ended["session_id"]):
        with pytest.raises(NotFound) as refused:
            rpc(identity, "end_user_session", identity.user_id, session_id)
        assert refused.value.detail == sessions.NO_SUCH  # one answer: nothing says which
    assert rpc(identity, "get_session", theirs["session_id"])["active"]
    assert rpc(identity, "get_session", mine["session_id"])["active"]
    assert [e["session_id"] for e in events(identity, "identity.session_ended")] == [
        ended["session_id"]]


def test_signing_out_everywhere_else_keeps_the_current_session_and_sends_an_alert(identity):
    others = [sign_in(identity) for _ in range(2)]
    current = sign_in(identity, "192.0.2.10", "Chrome/131")
    ended = rpc(identity, "end_other_sessions", identity.user_id, current["session_id"],
                actor=WHERE)

    assert sorted(ended) == sorted(s["session_id"] for s in others)
    assert rpc(identity, "get_session", current["session_id"])["active"]
    for other in others:
        assert not rpc(identity, "get_session", other["session_id"])["active"]
        with pytest.raises(Unauthenticated):
            rpc(identity, "refresh_session", other["refresh_token"])
    assert rpc(identity, "refresh_session", current["refresh_token"])["session_id"] == \
        current["session_id"]
    assert events(identity, "identity.security_settings_changed") == [
        {"user_id": identity.user_id, "what": "other_sessions_ended"}]
    (alert,) = events(identity, "identity.security_alert_raised")
    assert alert["kind"] == "security" and "signed out everywhere" in alert["what"]
    assert alert["ip"] == "203.0.113.9"

    # nothing left to end: no change, no second alert
    assert rpc(identity, "end_other_sessions", identity.user_id, current["session_id"]) == []
    assert len(events(identity, "identity.security_alert_raised")) == 1


def test_last_seen_moves_on_refresh_and_at_most_every_few_minutes_on_confirmation(
        identity, clock_ahead):
    signed_in = sign_in(identity)

    def last_seen():
        (item,) = rpc(identity, "list_sessions", identity.user_id)["items"]
        return item["last_seen_at"]
    opened = last_seen()

    clock_ahead(sessions.SEEN_EVERY.total_seconds() / 2)
    assert rpc(identity, "get_session", signed_in["session_id"])["active"]
    assert last_seen() == opened  # confirmed lately: nothing written
    clock_ahead(sessions.SEEN_EVERY.total_seconds() + 1)
    rpc(identity, "get_session", signed_in["session_id"])
    confirmed = last_seen()
    assert confirmed > opened
    clock_ahead(sessions.SEEN_EVERY.total_seconds() + 2)
    rpc(identity, "refresh_session", signed_in["refresh_token"])
    assert last_seen() > confirmed  # a refresh always counts
