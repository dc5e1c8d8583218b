"""Who is calling, and what they may do.

API callers send ``Authorization: Bearer <access token>`` (gateway.auth.tokens); portal pages
carry the signed session cookie (gateway.auth.portal_session). Views use ``signed_in``,
``account_scope(action)`` (account number in the path) or ``web_account_scope(action)``
(portal pages: the account the user is looking at), or ``public``. Every role check goes
through services.contracts.roles.allows; on the API, ``authorize`` runs it before the request's body is
read (see the note above ``_guarded``).
"""
import functools
import hmac

from flask import current_app, g, redirect, request, session, url_for

from gateway.auth import portal_session, tokens
from gateway.clients import identity
from services.contracts import errors, roles

NOT_FOUND = "No account with that number is available to you."


def _is_api():
    return request.path.startswith("/api/")


def current_user():
    """``{user_id, session_id, username}`` of the caller, or None; kept on ``g.user``."""
    if "user" not in g:
        g.user = tokens.bearer_user() if _is_api() else portal_session.cookie_user()
    return g.user


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
    role = identity.get_account_role(current_user()["user_id"], str(account_number))
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
        role = identity.get_account_role(user["user_id"], selected)
    if not role:
        accounts = identity.list_user_accounts(user["user_id"])
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
