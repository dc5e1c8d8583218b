"""Who is calling, and what they may do: the gateway's one place for authentication and roles.

API callers send ``Authorization: Bearer <access token>``; portal pages carry the signed
session cookie. Access tokens are signed here (itsdangerous, SECRET_KEY) for sessions that
identity opened and live ACCESS_TOKEN_SECONDS. A signature alone proves only that someone
held SECRET_KEY, so a token (or cookie) is honoured only for a session identity confirms is
open and the token's user's: asked once per session per worker and remembered for a token's
lifetime (gateway/session_cache.py), so there is no RPC per request. A session that ended is
refused at once through the worker's revocation set (gateway/revocations.py), checked first.

Views use ``signed_in``, ``account_scope(action)`` (account number in the path) or
``web_account_scope(action)`` (portal pages: the account the user is looking at), or
``public``. Every role check goes through gateway.roles.allows; on the API, ``authorize`` runs
it before the request's body is read (see the note above ``_guarded``).
"""
import functools
import hmac
import threading

from flask import current_app, g, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway import roles
from gateway.revocations import Revocations
from gateway.rpc import RpcClient, call
from gateway.session_cache import SessionCache
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
    _confirmed_sessions().remember(signed_in["session_id"], signed_in["user_id"])
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
    if not _session_is_open(data["u"], data["s"]):
        return None
    return {"user_id": data["u"], "session_id": data["s"], "username": data["n"]}


def _from_cookie():
    auth = session.get("auth")
    if not auth:
        return None
    if not _session_is_open(auth["u"], auth["s"]):
        session.clear()
        return None
    return {"user_id": auth["u"], "session_id": auth["s"], "username": auth["n"]}


def _confirmed_sessions():
    """This app's cache of sessions identity confirmed (one per worker process)."""
    app = current_app._get_current_object()
    found = app.extensions.get("confirmed_sessions")
    if found is None:
        with _lock:
            found = app.extensions.setdefault("confirmed_sessions",
                                              SessionCache(ttl_seconds=ACCESS_TOKEN_SECONDS))
    return found


def _session_is_open(user_id, session_id):
    """True when identity opened ``session_id`` for ``user_id`` and has not ended it. The
    revocation set answers first; a session confirmed lately is not asked about again,
    except while this worker has not caught up with the endings it missed (then the cache
    could hold a session that ended meanwhile, so identity is asked every time)."""
    ended = revocations()
    if session_id in ended:
        return False
    cache = _confirmed_sessions()
    if ended.ready() and cache.user_of(session_id) == user_id:
        return True
    state = call("identity", "get_session", session_id)
    if not state["active"] or state["user_id"] != user_id:
        return False
    cache.remember(session_id, user_id)
    return True


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
                       "n": signed_in["username"]}
    _confirmed_sessions().remember(signed_in["session_id"], signed_in["user_id"])
    g.pop("user", None)


def end_session(session_id):
    """Ends a session with identity and answers once every worker refuses its tokens: the
    ending reached this worker's revocation feed (bounded), which every worker's queue gets."""
    call("identity", "end_session", session_id)
    revocations().wait_heard(session_id)
    revocations().add(session_id)


def end_web_session():
    """Signs the browser out: ends the identity session, forgets the cookie."""
    user = current_user()
    if user:
        end_session(user["session_id"])
        _confirmed_sessions().forget(user["session_id"])
    session.clear()
    g.user = None


def _refuse_signed_out():
    if _is_api():
        raise errors.Unauthenticated("Sign in first: send 'Authorization: Bearer <access token>'.")
    return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))


# Who may call a view is recorded on it (``view.access``: (scope, action)) by the decorators
# below, published in the OpenAPI document as x-required-role (gateway.api) and checked by
# ``authorize`` before anything else reads the request: API blueprints run it as their first
# before_request hook, so a caller without the right gets 401/403/404 whatever the body
# (never a 400 or 422 about a body they may not send). The decorators' wrappers check too,
# once per request, for views outside API blueprints (the portal).
PUBLIC, SIGNED_IN, STAFF, ACCOUNT, PORTAL_ACCOUNT = (
    "public", "signed-in", "staff", "account", "portal-account")


def _guarded(view, access):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        refusal = _enforce(access, kwargs)
        return refusal if refusal is not None else view(*args, **kwargs)
    wrapper.access = access
    return wrapper


def public(view):
    """Marks an API view open to anyone (sign-up, sign-in, recovery, help)."""
    view.access = (PUBLIC, None)
    return view


def signed_in(view):
    """The caller must be signed in: API 401 problem, portal redirect to sign in."""
    return _guarded(view, (SIGNED_IN, None))


def access_of(view):
    """The (scope, action) recorded on a view, or None when nobody classified it."""
    return getattr(view, "access", None)


def required_role(access):
    """What the OpenAPI document says a caller needs: ``public``, ``signed-in``, ``staff``, or
    the least role on the path's account (``viewer``, ``billing``, ``admin``)."""
    scope, action = access
    return roles.least_role_allowing(action) if scope in (ACCOUNT, PORTAL_ACCOUNT) else scope


def authorize():
    """The view's access check, before its arguments are parsed (a before_request hook)."""
    access = access_of(current_app.view_functions.get(request.endpoint))
    if access is None or request.method == "OPTIONS":
        return None
    return _enforce(access, request.view_args or {})


def _enforce(access, view_args):
    """None when the caller may go on; else a refusal (raised, or a portal redirect)."""
    if g.get("authorized_access") == access:
        return None  # the before_request hook already checked this request
    scope, action = access
    if scope == STAFF:
        _require_staff_token()
    elif scope != PUBLIC:
        if current_user() is None:
            return _refuse_signed_out()
        if scope == ACCOUNT:
            check_account(view_args["account_number"], action)
        elif scope == PORTAL_ACCOUNT:
            _check_portal_account(action)
    g.authorized_access = access
    return None


def _require_staff_token():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise errors.Unauthenticated("The staff API needs 'Authorization: Bearer <ADMIN_TOKEN>'.")
    if not hmac.compare_digest(token.strip().encode(),
                               current_app.config["ADMIN_TOKEN"].encode()):
        raise errors.NotAllowed("That token may not use the staff API.")


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
    return lambda view: _guarded(view, (ACCOUNT, action))


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
    return lambda view: _guarded(view, (PORTAL_ACCOUNT, action))


def _check_portal_account(action):
    account_number = current_account()
    if account_number is None:
        raise errors.NotFound("Your online ID is not linked to an account yet.")
    _require(g.current_account_role, action)  # the role current_account just read
    g.account_role, g.account_number = g.current_account_role, account_number
