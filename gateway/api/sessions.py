"""The signed-in user's sessions: where they are signed in, and ending any of them (identity
owns them; gateway.auth.sessions stops an ended session's tokens on every worker before
answering)."""
from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access, sessions
from gateway.clients import identity
from services.contracts import identity as schemas
from services.contracts import paging

# documented under the signed-in user's tag ("me"), beside their other settings
bp = ApiBlueprint("sessions", __name__, url_prefix="/api/v1", tag="me",
                  access=(access.SIGNED_IN, None), signed_out="Not signed in")


@bp.get("/me/sessions")
@bp.arguments(paging.ListQuery, location="query")
@bp.response(200, schemas.SessionPage)
@bp.alt_response(400, description="A bad limit or cursor")
@bp.doc(operationId="listSessions")
def list_sessions(query):
    """Where you are signed in

    Your open sessions (each sign-in, on the portal or through the API), newest first:
    when each began, when it was last used (refreshed or confirmed, so within about ten
    minutes of its last request), the address and browser or app it signed in from, and
    `current` for the one making this request."""
    user = access.current_user()
    return identity.list_sessions(user["user_id"], user["session_id"], query["limit"],
                                  query["cursor"])


@bp.delete("/me/sessions")
@bp.response(204)
@bp.doc(operationId="endOtherSessions")
def end_other_sessions():
    """Sign out everywhere else

    End every session of yours but the one making this request: their access tokens stop
    working at once and their refresh tokens can no longer be used. We email you a security
    alert."""
    user = access.current_user()
    sessions.end_other_sessions(user["user_id"], user["session_id"], actor())
    return ""


@bp.delete("/me/sessions/<session_id>")
@bp.response(204)
@bp.alt_response(404, description="No open session of yours has that id")
@bp.doc(operationId="endSession")
def end_session(session_id):
    """End one of your sessions

    End one of your sessions (by its `id` from the list): its access token stops working
    at once and its refresh token can no longer be used. Ending the current one signs you
    out."""
    sessions.end_user_session(access.current_user()["user_id"], session_id, actor())
    return ""
