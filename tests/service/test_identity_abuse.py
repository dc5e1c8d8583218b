"""What identity tells a stranger, and how fast it lets anyone ask (issue 11 points 6-9), in
a nameko container on a real broker and database (SQLite and PostgreSQL): invitations admins
list and revoke, no username enumeration through sign-up, invitations or forgot-password,
a flood from one address that does not lock out its users, and allowances that a burst of
concurrent requests cannot get past. billing and notifications are fakes
(tests/support/identity_service.py)."""
import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.contracts.errors import (Conflict, NotFound, Refused, Throttled,
                                       Unauthenticated)
from services.identity import throttle
from services.runtime.database import engine_url
from tests.support import identity_service
from tests.support.identity_service import (ACCOUNT, OTHER_ACCOUNT, PASSWORD,
                                            IdentityUnderTest, _Fixed, from_ip, signup_request)

WHERE = {"ip": "198.51.100.7", "user_agent": "pytest"}
OFFICE = "203.0.113.50"
AT_OFFICE = from_ip(OFFICE)  # services.contracts.actor's shape


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


def invite(container, actor=None, email="guest@harbor.example", role="viewer"):
    invited = rpc(container, "invite_user", ACCOUNT, actor or container.admin,
                  {"email": email, "role": role}, actor=WHERE, company_name="Harbor Dental")
    mail = [k for n, k in identity_service.SENT if k.get("template") == "invitation"][-1]
    return mail["context"]["link"].split("token=")[1], invited["id"]


def accept(container, token, username="lee.park"):
    return rpc(container, "accept_invitation", {
        "token": token, "username": username, "password": PASSWORD, "first_name": "Lee",
        "last_name": "Park"}, actor=WHERE)


def mails(template):
    return [k for _, k in identity_service.SENT if k.get("template") == template]


# -- point 6: invitations an admin can see and take back -----------------------------------

def test_admins_list_pending_invitations_and_a_revoked_one_cannot_be_accepted(identity):
    first, first_id = invite(identity, email="ana@harbor.example", role="billing")
    second, second_id = invite(identity, email="bo@harbor.example")
    listed = rpc(identity, "list_invitations", ACCOUNT)
    assert [i["email"] for i in listed["items"]] == ["bo@harbor.example", "ana@harbor.example"]
    assert listed["items"][1]["id"] == first_id and listed["items"][1]["role"] == "billing"
    assert listed["items"][1]["invited_by"] == "sam.lee"
    assert {"created_at", "expires_at"} <= set(listed["items"][1])
    assert first not in str(listed)  # the token is never shown
    page = rpc(identity, "list_invitations", ACCOUNT, 1)
    rest = rpc(identity, "list_invitations", ACCOUNT, 1, page["next_cursor"])
    assert [i["id"] for i in page["items"] + rest["items"]] == [second_id, first_id]

    rpc(identity, "revoke_invitation", ACCOUNT, identity.admin, first_id, actor=WHERE)
    assert [i["id"] for i in rpc(identity, "list_invitations", ACCOUNT)["items"]] == [second_id]
    with pytest.raises(Refused):
        accept(identity, first)
    with pytest.raises(NotFound):
        rpc(identity, "revoke_invitation", ACCOUNT, identity.admin, first_id)
    with pytest.raises(NotFound):  # another account's admin cannot reach it
        rpc(identity, "revoke_invitation", OTHER_ACCOUNT, identity.admin, second_id)
    assert rpc(identity, "list_invitations", OTHER_ACCOUNT)["items"] == []
    accept(identity, second)
    assert rpc(identity, "list_invitations", ACCOUNT)["items"] == []
    types = [r[0] for r in execute(identity, "SELECT event_type FROM outbox")]
    assert types.count("identity.invitation_revoked") == 1
    assert "invitation revoked" in [e["action"] for e in
                                    rpc(identity, "list_account_audit", ACCOUNT)["items"]]


def test_demoting_or_removing_an_admin_revokes_the_invitations_they_sent(identity):
    other = accept(identity, invite(identity, role="admin")[0])["user_id"]
    demoted_token, _ = invite(identity, actor=other, email="one@harbor.example")
    rpc(identity, "change_user_role", ACCOUNT, identity.admin, other, "viewer")
    with pytest.raises(Refused):
        accept(identity, demoted_token, "one.person")

    rpc(identity, "change_user_role", ACCOUNT, identity.admin, other, "admin")
    removed_token, _ = invite(identity, actor=other, email="two@harbor.example")
    kept_token, _ = invite(identity, email="three@harbor.example")
    rpc(identity, "remove_user", ACCOUNT, identity.admin, other)
    with pytest.raises(Refused):
        accept(identity, removed_token, "two.person")
    assert [i["email"] for i in rpc(identity, "list_invitations", ACCOUNT)["items"]] == [
        "three@harbor.example"]
    reasons = execute(identity, "SELECT revoked_reason FROM invitations WHERE revoked_at IS "
                                "NOT NULL ORDER BY created_at")
    assert reasons == [("inviter_demoted",), ("inviter_removed",)]
    accept(identity, kept_token, "three.person")


def test_accepting_refuses_an_invitation_whose_inviter_is_no_longer_an_admin(identity):
    other = accept(identity, invite(identity, role="admin")[0])["user_id"]
    token, _ = invite(identity, actor=other, email="late@harbor.example")
    # a role changed around the rule (an old row, a repair by hand): acceptance still checks
    execute(identity, "UPDATE memberships SET role = 'billing' WHERE user_id = :u", u=other)
    with pytest.raises(Refused) as refused:
        accept(identity, token, "late.person")
    with pytest.raises(Refused) as unknown:
        accept(identity, "x" * 43, "late.person")
    assert refused.value.detail == unknown.value.detail
    with pytest.raises(Refused):
        rpc(identity, "get_invitation", token)


# -- point 7: no user enumeration ----------------------------------------------------------

def test_sign_up_answers_one_conflict_whether_or_not_the_username_exists(identity):
    with pytest.raises(Conflict) as taken_on_claimed:
        rpc(identity, "signup", signup_request(), actor=AT_OFFICE)
    with pytest.raises(Conflict) as free_on_claimed:
        rpc(identity, "signup", signup_request(username="nobody.yet"), actor=AT_OFFICE)
    with pytest.raises(Conflict) as taken_on_free:
        rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT), actor=AT_OFFICE)
    assert taken_on_claimed.value.detail == free_on_claimed.value.detail \
        == taken_on_free.value.detail
    with pytest.raises(Refused):  # no key, no word about usernames
        rpc(identity, "signup", signup_request(security_key="WRONG999"), actor=AT_OFFICE)


def test_an_invitation_token_is_throttled_after_a_few_failed_tries(identity):
    token, _ = invite(identity)
    details = set()
    for _ in range(throttle.FREE["invitation"]):
        with pytest.raises(Conflict) as taken:
            accept(identity, token, "sam.lee")
        details.add(taken.value.detail)
    with pytest.raises(Throttled) as throttled:
        accept(identity, token, "a.free.name")
    assert throttled.value.retry_after >= 1
    assert len(details) == 1  # one message, the same as sign-up's
    execute(identity, "UPDATE sign_in_failures SET last_failed_at = '2020-01-01 00:00:00'")
    assert accept(identity, token, "a.free.name")["username"] == "a.free.name"


class _Recorded:
    """Background work recorded, not done: what the answer waited for is all that ran."""
    def __init__(self):
        self.jobs = []

    def spawn(self, fn, *args, **kwargs):
        self.jobs.append((fn, args))


@pytest.fixture
def recorded(start_service):
    identity_service.SENT.clear()
    background = _Recorded()

    class Recording(IdentityUnderTest):
        pass
    Recording.background = _Fixed(background)
    container = start_service(Recording)
    rpc(container, "signup", signup_request())
    identity_service.SENT.clear()
    container.jobs = background.jobs
    return container


@pytest.mark.parametrize("method, known, unknown", [
    ("request_password_reset", "sam.lee", "nobody.at.all"),
    ("request_username_reminder", "sam@bluebird.example", "nobody@bluebird.example")])
def test_forgot_does_the_same_work_before_answering_whether_or_not_the_user_exists(
        recorded, method, known, unknown):
    before = execute(recorded, "SELECT count(*) FROM sign_in_failures")[0][0]
    rpc(recorded, method, known, actor=AT_OFFICE)
    after_known = execute(recorded, "SELECT count(*), sum(count) FROM sign_in_failures")
    rpc(recorded, method, unknown, actor=from_ip("203.0.113.51"))
    after_unknown = execute(recorded, "SELECT count(*), sum(count) FROM sign_in_failures")
    # the same rows reserved (one per typed value, one per address), one request recorded
    # each (what was typed, not whom it names), nothing looked up or mailed yet, and one job
    # of the same function each with the request's id: the lookup and mail come after
    assert after_known[0][0] - before == after_unknown[0][0] - after_known[0][0] == 2
    requests = execute(recorded, "SELECT id, kind, identifier, claimed_at, done_at FROM "
                                 "recovery_requests ORDER BY requested_at")
    kind = method.replace("request_", "")
    assert [r[1:] for r in requests] == [(kind, known, None, None), (kind, unknown, None, None)]
    assert identity_service.SENT == []
    assert execute(recorded, "SELECT count(*) FROM password_resets") == [(0,)]
    assert [(fn.__name__, args) for fn, args in recorded.jobs] == [
        (recorded.jobs[0][0].__name__, (requests[0][0],)),
        (recorded.jobs[0][0].__name__, (requests[1][0],))]
    for fn, args in recorded.jobs:
        fn(*args)
    assert [k["to"] for _, k in identity_service.SENT] == ["Sam@bluebird.example"]
    assert execute(recorded, "SELECT count(*) FROM recovery_requests WHERE done_at IS NULL "
                             "OR identifier IS NOT NULL") == [(0,)]


def test_reset_links_are_limited_by_what_was_typed_whether_or_not_it_exists(identity):
    refusals = []
    for username in ("sam.lee", "nobody.at.all"):
        for n in range(throttle.QUOTAS["reset_user"]):
            rpc(identity, "request_password_reset", username, actor=from_ip(f"192.0.2.{n}"))
        with pytest.raises(Throttled) as refused:
            rpc(identity, "request_password_reset", username.upper(), actor=from_ip("192.0.2.99"))
        refusals.append((refused.value.detail, refused.value.retry_after > 0))
    assert refusals[0] == refusals[1]
    assert len(mails("password_reset")) == throttle.QUOTAS["reset_user"]


def test_sign_up_is_limited_per_account_number_and_failures_per_address(identity):
    for n in range(throttle.QUOTAS["signup_account"] - 1):  # the admin's sign-up was one
        with pytest.raises(Conflict):
            rpc(identity, "signup", signup_request(username=f"try.{n:03}"),
                actor=from_ip(f"192.0.2.{n}"))
    with pytest.raises(Throttled):
        rpc(identity, "signup", signup_request(username="try.last"), actor=from_ip("192.0.2.200"))
    for n in range(throttle.QUOTAS["signup_ip"]):
        with pytest.raises(Refused):
            rpc(identity, "signup", signup_request(account_number=f"{n:016}"), actor=AT_OFFICE)
    with pytest.raises(Throttled) as throttled:
        rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT,
                                               username="fresh.user"), actor=AT_OFFICE)
    assert throttled.value.retry_after > 0
    # a sign-up that works gives its attempt back: an office signs up its accounts freely
    rpc(identity, "signup", signup_request(account_number=OTHER_ACCOUNT, username="fresh.user"),
        actor=from_ip("192.0.2.150"))
    assert execute(identity, "SELECT count FROM sign_in_failures WHERE key = :k",
                   k=throttle.quota_key("signup_ip", "192.0.2.150")) == [(0,)]


# -- point 8: a flood from one address -----------------------------------------------------

def test_a_flood_from_one_address_slows_unknown_usernames_but_not_a_right_password(identity):
    rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=AT_OFFICE)  # works there every day
    for n in range(throttle.FREE["ip"]):
        with pytest.raises(Unauthenticated):
            rpc(identity, "sign_in", f"ghost.{n}", "not the password", actor=AT_OFFICE)
    with pytest.raises(Throttled):
        rpc(identity, "sign_in", "ghost.next", "not the password", actor=AT_OFFICE)
    with pytest.raises(Throttled):
        rpc(identity, "sign_in", "nobody.here", PASSWORD, actor=AT_OFFICE)
    assert rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=AT_OFFICE)["username"] == "sam.lee"
    # their own key still stops guessing at their password from there
    for _ in range(throttle.FREE["user"]):
        with pytest.raises(Unauthenticated):
            rpc(identity, "sign_in", "sam.lee", "not the password", actor=AT_OFFICE)
    with pytest.raises(Throttled):
        rpc(identity, "sign_in", "sam.lee", PASSWORD, actor=AT_OFFICE)


# -- point 9: a burst of concurrent requests -----------------------------------------------

def burst(container, method, calls):
    """Each of ``calls`` (args, kwargs) as its own RPC, all at once (a proxy each: one
    entrypoint_hook cannot be shared by concurrent calls); returns each one's answer:
    "ok", or the name of the error raised."""
    def one(call):
        args, kwargs = call
        with ServiceRpcProxy("identity", container.config) as identity:
            try:
                getattr(identity, method)(*args, **kwargs)
                return "ok"
            except Exception as exc:  # noqa: BLE001 - the answer is what is counted
                return type(exc).__name__
    return list(eventlet.GreenPool(len(calls)).imap(one, calls))


def test_concurrent_requests_never_get_past_an_allowance(identity):
    answers = burst(identity, "request_password_reset",
                    [(("sam.lee",), {"actor": from_ip(f"192.0.2.{n}")}) for n in range(12)])
    assert answers.count("ok") == throttle.QUOTAS["reset_user"], answers
    assert answers.count("Throttled") == 12 - throttle.QUOTAS["reset_user"], answers
    assert len(mails("password_reset")) == throttle.QUOTAS["reset_user"]


def test_concurrent_wrong_passwords_never_get_past_the_free_failures(identity):
    answers = burst(identity, "sign_in", [(("sam.lee", f"guess number {n:03}"),
                                           {"actor": from_ip(f"192.0.2.{n}")}) for n in range(12)])
    assert answers.count("Unauthenticated") == throttle.FREE["user"], answers
    assert answers.count("Throttled") == 12 - throttle.FREE["user"], answers


def test_concurrent_right_passwords_from_one_address_all_get_in(identity):
    """Reserving and giving back lock the same rows in the same order: no deadlock, and
    nothing is left counted against the user or the address. (Each attempt counts as a
    failure until its password is checked, so more than FREE["user"] sign-ins of one
    username at the same instant are throttled: the price of no burst of guesses getting
    past the free ones.)"""
    free = throttle.FREE["user"]
    answers = burst(identity, "sign_in", [(("sam.lee", PASSWORD), {"actor": AT_OFFICE})] * free)
    assert answers == ["ok"] * free
    counts = execute(identity, "SELECT key, count FROM sign_in_failures WHERE key IN (:u, :i)",
                     u=throttle.user_key("sam.lee"), i=throttle.ip_key(OFFICE))
    assert {count for _, count in counts} <= {0}
