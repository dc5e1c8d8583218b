"""Whether identity still holds a session open, without an RPC per request: asked once per
session per worker and remembered for a token's lifetime (gateway/session_cache.py). A
session that ended is refused at once through the worker's revocation set
(gateway/revocations.py), checked first."""
import threading

from flask import current_app

from gateway.clients import identity
from gateway.revocations import Revocations
from gateway.rpc import RpcClient
from gateway.session_cache import SessionCache
from services.contracts.identity import ACCESS_TOKEN_SECONDS

_lock = threading.Lock()


def revocations():
    """This app's revocation set; its feed starts in each worker process on first use. With
    a fake RPC client (unit tests) there is no broker, so no feed."""
    app = current_app._get_current_object()
    found = app.extensions.get("revocations")
    if found is None:
        with _lock:
            found = app.extensions.get("revocations")
            if found is None:
                client = app.extensions["rpc"]
                fetch = None
                if isinstance(client, RpcClient):
                    def fetch():
                        return client.call("identity", "list_ended_sessions",
                                           ACCESS_TOKEN_SECONDS + 60)
                settings = app.extensions.get("settings")
                found = Revocations(ACCESS_TOKEN_SECONDS,
                                    amqp_uri=getattr(settings, "amqp_uri", None), fetch=fetch)
                app.extensions["revocations"] = found
    found.ensure_listening()
    return found


def confirmed_sessions():
    """This app's cache of sessions identity confirmed (one per worker process)."""
    app = current_app._get_current_object()
    found = app.extensions.get("confirmed_sessions")
    if found is None:
        with _lock:
            found = app.extensions.setdefault("confirmed_sessions",
                                              SessionCache(ttl_seconds=ACCESS_TOKEN_SECONDS))
    return found


def is_open(user_id, session_id):
    """True when identity opened ``session_id`` for ``user_id`` and has not ended it. The
    revocation set answers first; a session confirmed lately is not asked about again,
    except while this worker has not caught up with the endings it missed (then the cache
    could hold a session that ended meanwhile, so identity is asked every time)."""
    ended = revocations()
    if session_id in ended:
        return False
    cache = confirmed_sessions()
    if ended.ready() and cache.user_of(session_id) == user_id:
        return True
    state = identity.get_session(session_id)
    if not state["active"] or state["user_id"] != user_id:
        return False
    cache.remember(session_id, user_id)
    return True


def end_session(session_id):
    """Ends a session with identity and answers once every worker refuses its tokens: the
    ending reached this worker's revocation feed (bounded), which every worker's queue gets."""
    identity.end_session(session_id)
    _stopped([session_id])


def end_user_session(user_id, session_id, actor):
    """Ends one of the user's sessions (NotFound: not an open one of theirs), as
    ``end_session`` does."""
    identity.end_user_session(user_id, session_id, actor)
    _stopped([session_id])


def end_other_sessions(user_id, current_session_id, actor):
    """Ends every session of the user but the current one, as ``end_session`` does;
    returns how many ended."""
    ended = identity.end_other_sessions(user_id, current_session_id, actor)
    _stopped(ended)
    return len(ended)


def _stopped(session_ids):
    """Answers once every worker refuses the sessions' tokens (see end_session)."""
    if not session_ids:
        return
    ended = revocations()
    ended.wait_all_heard(session_ids)
    cache = confirmed_sessions()
    for session_id in session_ids:
        ended.add(session_id)
        cache.forget(session_id)
