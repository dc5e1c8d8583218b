"""Business support contacts and help topics."""
from marshmallow import Schema, fields

from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.help_topics import TOPICS
from services.contracts import support

bp = ApiBlueprint("help", __name__, url_prefix="/api/v1", access=(access.PUBLIC, None),
                  description="Business support contacts and help topics.")


class Support(Schema):
    name = fields.String(required=True)
    phone = fields.String(required=True)
    email = fields.String(required=True)
    hours = fields.String(required=True)


class Topic(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)


class Help(Schema):
    support = fields.Nested(Support, required=True)
    topics = fields.List(fields.Nested(Topic), required=True)


def content():
    return {"support": dict(support.CONTACT, name="Business technical support"), "topics": TOPICS}


@bp.get("/help")
@bp.response(200, Help)
@bp.doc(operationId="getHelp")
def get_help():
    """Support contacts and help topics

    24/7 business technical support contacts and the portal's help topics (no sign-in)."""
    return content()
