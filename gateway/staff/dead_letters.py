"""Staff: events a handler kept failing on, parked by each service; list them, replay one.

Each service keeps its own (services/runtime/dead_letters.py); the list here is one list over
all of them, or one service's, merged page by page (services/runtime/dead_letter_pages.py).
"""
from marshmallow import Schema, fields, validate

from gateway.clients import dead_letters
from gateway.staff import bp
from services.contracts import paging
from services.contracts.dead_letters import DeadLetterPage, Replayed
from services.contracts.errors import NotFound
from services.contracts.names import SERVICES
from services.runtime import dead_letter_pages as pages

# error answers are documented as problem documents (with Retry-After on 503) by
# gateway.api.problem_docs; the views give only their own descriptions
UNAVAILABLE = "A service that keeps dead letters did not answer"


class DeadLetterQuery(Schema):
    service = fields.String(load_default=None, validate=validate.OneOf(SERVICES),
                            metadata={"description": "only this service's; default: all"})
    limit = paging.limit_field()
    cursor = paging.cursor_field()
    include_replayed = fields.Boolean(load_default=False, metadata={
        "description": "also those replayed since they were parked"})


@bp.get("/dead-letters")
@bp.arguments(DeadLetterQuery, location="query")
@bp.response(200, DeadLetterPage)
@bp.alt_response(400, description="A bad service, limit or cursor")
@bp.alt_response(503, description=UNAVAILABLE)
@bp.doc(operationId="listDeadLetters")
def list_dead_letters(query):
    """Parked events

    Parked events, newest first, of every service or one (``service``): what failed, where,
    how often, and the event itself. Replayed ones only with ``include_replayed``. The list
    over every service needs each of them to answer; ask for one with ``service``."""
    key = pages.decode_cursor(query["cursor"]) if query["cursor"] else None
    services = [query["service"]] if query["service"] else list(SERVICES)
    return pages.merge([
        dead_letters.list_dead_letters(service, query["limit"], pages.before_for(service, key),
                                       query["include_replayed"])
        for service in services], query["limit"])


@bp.post("/dead-letters/<dead_letter_id>/replay")
@bp.response(202, Replayed)
@bp.alt_response(404, description="No such dead letter")
@bp.alt_response(409, description="The handler's queue no longer exists")
@bp.alt_response(503, description=UNAVAILABLE)
@bp.doc(operationId="replayDeadLetter")
def replay_dead_letter(dead_letter_id):
    """Replay a parked event

    Publish a parked event again to the one handler queue it failed in, its attempts
    counted afresh. Replaying twice is allowed: handlers apply each event once."""
    parsed = pages.parse_id(dead_letter_id)
    if parsed is None:
        raise NotFound("No such dead letter.")
    service, row = parsed
    return dead_letters.replay_dead_letter(service, row)
