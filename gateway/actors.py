"""Who acts and from where: the one builder of services.contracts.actor's shape
``{user_id, ip, user_agent}`` for the changes the gateway asks services to make."""
from flask import request

from gateway.auth import access

USER_AGENT_CHARS = 200


def actor():
    """The signed-in caller, from where they call."""
    return dict(origin(), user_id=access.current_user()["user_id"])


def origin():
    """``{ip, user_agent}`` of any caller, signed in or not: the User-Agent cut to what
    identity keeps ("" when not sent)."""
    return {"ip": request.remote_addr,
            "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_CHARS]}


def user_agent():
    """The caller's User-Agent ("" when not sent), as sign-in records it."""
    return origin()["user_agent"]
