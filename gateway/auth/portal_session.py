"""The portal's signed session cookie: who signed in on this browser. The refresh token is
not kept; the cookie is re-confirmed with identity instead (gateway.auth.sessions)."""
from flask import g, session

from gateway.auth import sessions


def cookie_user():
    """``{user_id, session_id, username}`` the cookie names, or None (and the cookie is
    forgotten) when it names a session that is no longer open."""
    auth = session.get("auth")
    if not auth:
        return None
    if not sessions.is_open(auth["u"], auth["s"]):
        session.clear()
        return None
    return {"user_id": auth["u"], "session_id": auth["s"], "username": auth["n"]}


# Both below reset g.user, where gateway.auth.access.current_user keeps the request's caller.
def start_web_session(signed_in):
    """Signs the browser in with identity's sign-in answer."""
    session.clear()
    session.permanent = False
    session["auth"] = {"u": signed_in["user_id"], "s": signed_in["session_id"],
                       "n": signed_in["username"]}
    sessions.confirmed_sessions().remember(signed_in["session_id"], signed_in["user_id"])
    g.pop("user", None)


def end_web_session(user):
    """Signs the browser out: ends ``user``'s identity session (the current caller, or None
    when nobody is signed in), forgets the cookie."""
    if user:
        sessions.end_session(user["session_id"])
        sessions.confirmed_sessions().forget(user["session_id"])
    session.clear()
    g.user = None
