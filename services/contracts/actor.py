"""Who did something, and from where: the one shape the gateway passes to a service with a
change it makes on someone's behalf, ``{user_id, ip, user_agent}`` (each may be None: a
timer acts for no one; a client may send no User-Agent).

Events keep their own, older names for it (``actor_user_id``, ``ip``: events.py), built by
``event_fields``, so no payload changes."""
from marshmallow import EXCLUDE, Schema, fields


class Actor(Schema):
    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(allow_none=True, load_default=None)
    ip = fields.String(allow_none=True, load_default=None)
    user_agent = fields.String(allow_none=True, load_default=None)


def of(actor):
    """``actor`` (a dict, or None for no one) as ``{user_id, ip, user_agent}``."""
    return Actor().load(actor or {})


def where(actor):
    """``{ip, user_agent}`` as identity's audit trail and security alerts take it (user_agent
    None when none was sent)."""
    actor = of(actor)
    return {"ip": actor["ip"], "user_agent": actor["user_agent"] or None}


def event_fields(actor):
    """What an event says of who acted: ``{actor_user_id, ip}``."""
    actor = of(actor)
    return {"actor_user_id": actor["user_id"], "ip": actor["ip"]}
