"""Who acts and from where: the one builder of services.contracts.actor's shape
``{user_id, ip, user_agent}`` for what the gateway asks services to do on someone's behalf
(sign-in, sign-up and recovery included: there nobody is signed in yet)."""
from flask import request

from gateway.auth import access

USER_AGENT_CHARS = 200


def actor():
    """The signed-in caller, from where they call."""
    return dict(origin(), user_id=access.current_user()["user_id"])


def origin():
    """``{ip, user_agent}`` of any caller, signed in or not (no ``user_id``: nobody, as for
    a sign-in or a mailed link's page): the User-Agent cut to what identity keeps ("" when
    not sent)."""
    return {"ip": request.remote_addr,
            "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_CHARS]}
