"""What the dead-letter RPCs every service has answer (services/runtime/dead_letters.py),
as the staff API documents them."""
from marshmallow import Schema, fields

from services.contracts.formats import DATE_TIME


class DeadLetter(Schema):
    id = fields.String(required=True, metadata={"description": "<service>.<number>"})
    service = fields.String(required=True)
    queue = fields.String(required=True, metadata={"description": "the handler's queue"})
    event_type = fields.String(allow_none=True, required=True)
    event_id = fields.String(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True, metadata={
        "description": "the handler's last error"})
    attempts = fields.Integer(required=True)
    parked_at = fields.String(required=True, metadata=DATE_TIME)
    status = fields.String(required=True, metadata={"description": "parked | replayed"})
    replayed_at = fields.String(allow_none=True, required=True, metadata=DATE_TIME)
    replay_count = fields.Integer(required=True)
    body = fields.Raw(metadata={"description": "the event as published (events carry no "
                                               "secrets)"})


class DeadLetterPage(Schema):
    items = fields.List(fields.Nested(DeadLetter), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class Replayed(Schema):
    id = fields.String(required=True)
    replayed_at = fields.String(required=True, metadata=DATE_TIME)
    replay_count = fields.Integer(required=True)
