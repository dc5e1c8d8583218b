"""Who is calling, and what they may do: the gateway's one place for authentication and roles.

API callers send ``Authorization: Bearer <access token>``; portal pages carry the signed
session cookie. Access tokens are signed here (itsdangerous, SECRET_KEY) for sessions that
identity opened, live ACCESS_TOKEN_SECONDS and are verified locally: no RPC per request. A
token whose session has ended is refused through the worker's revocation set
(gateway/revocations.py). A portal cookie is re-confirmed with identity once per token
lifetime, since it lives longer than the revocation set remembers.

Views use ``signed_in``, ``account_scope(action)`` (account number in the path) or
``web_account_scope(action)`` (portal pages: the account the user is looking at). Every role
check goes through gateway.roles.allows.
"""
import functools
import threading
import time

from flask import current_app, g, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway import roles
from gateway.revocations import Revocations
from gateway.rpc import RpcClient, call
from services.contracts import errors

ACCESS_TOKEN_SECONDS = 600
_SALT = "bizportal.access-token.v1"
_lock = threading.Lock()
NOT_FOUND = "No account with that number is available to you."


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_access_token(user_id, session_id, username):
    """A signed access token for a session identity opened (also handy in tests)."""
    return _serializer().dumps({"u": user_id, "s": session_id, "n": username})


def token_pair(signed_in):
    """The API reply to a sign-in or refresh: identity's answer plus a fresh access token."""
    return {"access_token": issue_access_token(signed_in["user_id"], signed_in["session_id"],
                                               signed_in["username"]),
            "refresh_token": signed_in["refresh_token"], "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS}


def revocations():
    """This app's revocation set; its feed starts in each worker process on first use. With
    a fake RPC client (unit tests) there is no broker, so no feed."""
    app = current_app._get_current_object()
    found = app.extensions.get("revocations")
    if found is None:
        with _lock:
            found = app.extensions.get("revocations")
            if found is None:
                client = app.extensions["rpc"]
                fetch = None
                if isinstance(client, RpcClient):
                    def fetch():
                        return client.call("identity", "list_ended_sessions",
                                           ACCESS_TOKEN_SECONDS + 60)
                settings = app.extensions.get("settings")
                found = Revocations(ACCESS_TOKEN_SECONDS,
                                    amqp_uri=getattr(settings, "amqp_uri", None), fetch=fetch)
                app.extensions["revocations"] = found
    found.ensure_listening()
    return found


def _is_api():
    return request.path.startswith("/api/")


def _from_bearer():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        data = _serializer().loads(token.strip(), max_age=ACCESS_TOKEN_SECONDS)
    except BadSignature:  # includes SignatureExpired
        return None
    ended = revocations()
    if data["s"] in ended:
        return None
    if not ended.ready() and not call("identity", "get_session", data["s"])["active"]:
        ended.add(data["s"])  # only until this worker has caught up: then no RPC at all
        return None
    return {"user_id": data["u"], "session_id": data["s"], "username": data["n"]}


def _from_cookie():
    auth = session.get("auth")
    if not auth:
        return None
    ended = revocations()
    if auth["s"] in ended:
        session.clear()
        return None
    if not ended.ready() or time.time() - auth.get("checked", 0) > ACCESS_TOKEN_SECONDS:
        state = call("identity", "get_session", auth["s"])
        if not state["active"]:
            session.clear()
            return None
        auth = dict(auth, checked=time.time())
        session["auth"] = auth
    return {"user_id": auth["u"], "session_id": auth["s"], "username": auth["n"]}


def current_user():
    """``{user_id, session_id, username}`` of the caller, or None; kept on ``g.user``."""
    if "user" not in g:
        g.user = _from_bearer() if _is_api() else _from_cookie()
    return g.user


def start_web_session(signed_in):
    """Signs the browser in with identity's sign-in answer (the refresh token is not kept:
    the cookie is re-confirmed with identity instead)."""
    session.clear()
    session.permanent = False
    session["auth"] = {"u": signed_in["user_id"], "s": signed_in["session_id"],
                       "n": signed_in["username"], "checked": time.time()}
    g.pop("user", None)


def end_web_session():
    """Signs the browser out: ends the identity session, forgets the cookie."""
    user = current_user()
    if user:
        call("identity", "end_session", user["session_id"])
        revocations().add(user["session_id"])
    session.clear()
    g.user = None


def _refuse_signed_out():
    if _is_api():
        raise errors.Unauthenticated("Sign in first: send 'Authorization: Bearer <access token>'.")
    return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))


def signed_in(view):
    """The caller must be signed in: API 401 problem, portal redirect to sign in."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return _refuse_signed_out()
        return view(*args, **kwargs)
    return wrapper


def check_account(account_number, action):
    """Sets g.account_role / g.account_number; NotFound when the caller has no role on the
    account (as if it did not exist), NotAllowed when the role lacks ``action``."""
    role = call("identity", "get_account_role", current_user()["user_id"], str(account_number))
    _require(role, action)
    g.account_role, g.account_number = role, str(account_number)
    return role


def _require(role, action):
    if role is None:
        raise errors.NotFound(NOT_FOUND)
    if not roles.allows(role, action):
        raise errors.NotAllowed(f"Your role on this account ({role}) may not do that.")


def account_scope(action):
    """For views taking ``account_number`` in the path: signed in, and a role allowing
    ``action`` on that account."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_user() is None:
                return _refuse_signed_out()
            check_account(kwargs["account_number"], action)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def current_account():
    """The account number the signed-in portal user is looking at: the one they selected,
    else their first; None when they have none. Verified with identity."""
    user = current_user()
    if user is None:
        return None
    if "current_account" in g:
        return g.current_account
    selected, role = session.get("account"), None
    if selected:
        role = call("identity", "get_account_role", user["user_id"], selected)
    if not role:
        accounts = call("identity", "list_user_accounts", user["user_id"])
        selected, role = ((accounts[0]["account_number"], accounts[0]["role"]) if accounts
                          else (None, None))
        if selected:
            session["account"] = selected
        else:
            session.pop("account", None)
    g.current_account, g.current_account_role = selected, role
    return selected


def select_account(account_number):
    """Makes ``account_number`` the portal's current account (checks the user may view it)."""
    check_account(account_number, "view")
    session["account"] = str(account_number)
    g.current_account, g.current_account_role = str(account_number), g.account_role


def web_account_scope(action):
    """For portal pages about the current account: signed in (else redirect to sign in), a
    current account, and a role on it allowing ``action``."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_user() is None:
                return _refuse_signed_out()
            account_number = current_account()
            if account_number is None:
                raise errors.NotFound("Your online ID is not linked to an account yet.")
            _require(g.current_account_role, action)  # the role current_account just read
            g.account_role, g.account_number = g.current_account_role, account_number
            return view(*args, **kwargs)
        return wrapper
    return decorate
