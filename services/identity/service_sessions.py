"""identity's entrypoints for a user's own sessions (a mixin of IdentityService): list the
open ones, end one, end every one but the current. Ending needs no password: it only ever
takes access away, and a stolen session that ends the owner's is ended in turn as soon as the
owner signs in again and does the same (the alert mail tells them to, and to change their
password). Each ending is audited and emits ``identity.session_ended``, which stops the
session's tokens on every gateway at once (gateway/revocations.py)."""
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.contracts import actor as contract_actor
from services.contracts.errors import InvalidInput, NotFound
from services.identity import audit, onlineids, sessions


def _device(row):
    return f"{row.user_agent or 'an unknown browser or app'} from {row.ip or 'an unknown address'}"


class UserSessions:
    """Needs ``db`` and ``_changed`` (SecuritySettings) on the service class."""

    @rpc(expected_exceptions=InvalidInput)
    def list_sessions(self, user_id, current_session_id=None, limit=20, cursor=None):
        """Returns the user's open sessions ``{items: [{id, created_at, last_seen_at, ip,
        user_agent, current}], next_cursor}``, newest first; ``current`` marks
        ``current_session_id`` (the caller's). Raises InvalidInput (a bad limit or
        cursor)."""
        with self.db.transaction() as tx:
            return sessions.listing(tx.session, str(user_id), current_session_id, clock.now(),
                                    limit, cursor)

    @rpc(expected_exceptions=NotFound)
    def end_user_session(self, user_id, session_id, actor=None):
        """Ends one open session of ``user_id`` (the current one too: that is signing out).
        Returns None. Raises NotFound (unknown, ended, or another user's: one answer).
        Emits ``identity.session_ended`` (reason: ended_by_user)."""
        where, at = contract_actor.where(actor), clock.now()
        with self.db.transaction() as tx:
            row = sessions.own_open(tx.session, str(user_id), session_id, at)
            tx.emit("session_ended", sessions.end(tx.session, row, at, "ended_by_user"))
            audit.record(tx.session, at, "session ended", actor_user_id=row.user_id,
                         subject_user_id=row.user_id, detail=_device(row), where=where)

    @rpc(expected_exceptions=NotFound)
    def end_other_sessions(self, user_id, current_session_id, actor=None):
        """Ends every open session of ``user_id`` but ``current_session_id``. Returns the ids
        of the sessions it ended. Raises NotFound (no such user). Emits
        ``identity.session_ended`` for each (reason: ended_by_user) and, when any ended,
        ``identity.security_settings_changed`` (what: other_sessions_ended) with a security
        alert mail."""
        where, at = contract_actor.where(actor), clock.now()
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, str(user_id))
            ended = [e for e in sessions.end_all(tx.session, user.id, at, "ended_by_user",
                                                 keep=current_session_id) if e]
            for data in ended:
                tx.emit("session_ended", data)
            if ended:
                self._changed(tx, user, "other_sessions_ended", at, where)
        return [data["session_id"] for data in ended]
