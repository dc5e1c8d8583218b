"""Who acts and from where, as each service asks for it on a change it records."""
from flask import request

from gateway.auth import access

USER_AGENT_CHARS = 200


def where():
    """``{ip, user_agent}`` for identity's audit trail (user_agent None when not sent)."""
    return {"ip": request.remote_addr, "user_agent": user_agent() or None}


def user_agent():
    """The caller's User-Agent, cut to what identity keeps ("" when not sent)."""
    return request.headers.get("User-Agent", "")[:USER_AGENT_CHARS]


def billing_actor():
    """``{user_id, ip}``: billing puts it on its events for identity's audit trail."""
    return {"user_id": access.current_user()["user_id"], "ip": request.remote_addr}


def payments_actor():
    """``{actor_user_id, ip}``: payments puts it on its events for identity's audit trail."""
    return {"actor_user_id": access.current_user()["user_id"], "ip": request.remote_addr}
