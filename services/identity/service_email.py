"""identity's profile entrypoints (a mixin of IdentityService): names change at once; a new
email needs the current password and takes effect only when the link mailed to the new
address is followed (email_change.py). The old address is told at once and again when it
happens; both are in the audit trail; then the user's other sessions and reset links end."""
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.contracts import actor as contract_actor
from services.contracts.errors import InvalidInput, NotFound, Refused, Throttled
from services.identity import (alerts, audit, email_change, onlineids, recovery, sessions,
                               throttle)


class EmailChanges:
    """Needs ``db``, ``config``, ``notifications_rpc`` and ``_step_up`` (from
    SecuritySettings) on the service class."""

    def _public(self, session, user, at):
        return dict(onlineids.public(user),
                    pending_email=email_change.pending(session, user, at))

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def update_user(self, user_id, changes, current_password=None, session_id=None,
                    actor=None):
        """Changes ``first_name``/``last_name`` at once. A new ``email`` needs
        ``current_password`` (``changes`` may carry it too) and only starts a change: a
        single-use link (30 minutes) is mailed to the new address, a security alert to the
        current one. ``session_id`` is the session asking (it survives the change); ``actor``
        (contracts.actor) who, from where. Returns the user with ``pending_email``. Raises InvalidInput
        (fields; password missing or wrong), Throttled (wrong passwords count like failed
        sign-ins; too many links for this user or to that address this hour), NotFound.
        Emits ``identity.security_settings_changed`` (what: email_change_requested) and
        ``identity.security_alert_raised``."""
        where = contract_actor.where(actor)
        data, at = onlineids.load_profile_change(changes), clock.now()
        password = current_password or data.get("current_password")
        with self.db.transaction() as tx:
            new_email = email_change.wanted(onlineids.get_user(tx.session, user_id), data)
        if new_email:  # before anything changes: the whole request is refused
            self._step_up(user_id, password, missing=email_change.NEEDS_PASSWORD)
        token = None
        with self.db.transaction() as tx:
            if new_email:  # reserved first, in the change's own transaction: no burst
                throttle.reserve(tx.session, [("email_change_user", user_id),
                                              ("email_change_to", new_email)], at)
            user = onlineids.rename(onlineids.get_user(tx.session, user_id), data)
            if new_email:
                token = email_change.start(tx.session, user, new_email, at, session_id)
                audit.record(tx.session, at, "email change requested", detail=f"To {new_email}",
                             actor_user_id=user.id, subject_user_id=user.id, where=where)
                tx.emit("security_settings_changed",
                        {"user_id": user.id, "what": "email_change_requested"})
                alerts.security_alert(tx, user.email, user.id, user.first_name,
                                      "email_change_requested", at, where,
                                      detail=alerts.email_change_detail(new_email))
            result = self._public(tx.session, user, at)
            first_name = user.first_name
        if token:  # the secret goes by RPC to the new address only, never on an event
            self.notifications_rpc.send_email.call_async(
                to=new_email, category="security", template="email_change",
                context={"link": email_change.link(self.config["PUBLIC_URL"], token),
                         "first_name": first_name, "minutes": 30},
                user_id=user_id, secret_keys=["link"])
        return result

    @rpc(expected_exceptions=Refused)
    def confirm_email_change(self, token, actor=None):
        """Applies the email change of a mailed link (``token``; single use, 30 minutes).
        Returns ``{user_id, email}``. Raises Refused (unknown, used, expired, superseded, or
        asked for before the password last changed).
        Every other session of the user ends (not the one that asked) and so do their reset
        links. Emits ``identity.security_alert_raised`` (to the old address),
        ``identity.security_settings_changed`` (what: email_changed),
        ``identity.session_ended``."""
        where = contract_actor.where(actor)
        at = clock.now()
        with self.db.transaction() as tx:
            row = email_change.take(tx.session, str(token), at,
                                    lambda user_id: onlineids.get_user(tx.session, user_id))
            user = onlineids.get_user(tx.session, row.user_id)
            old = user.email
            alerts.security_alert(tx, old, user.id, user.first_name, "email_changed", at,
                                  where, detail=f"New address: {row.new_email}. Reset links "
                                  "and alerts go there from now on: if this was not you, call "
                                  "business support at once.")
            email_change.apply(user, row.new_email)
            recovery.end_resets(tx.session, user.id, at)
            for ended in sessions.end_all(tx.session, user.id, at, "email_changed",
                                          keep=row.session_id):
                tx.emit("session_ended", ended)
            audit.record(tx.session, at, "email changed", detail=f"From {old} to {user.email}",
                         actor_user_id=user.id, subject_user_id=user.id, where=where)
            tx.emit("security_settings_changed", {"user_id": user.id, "what": "email_changed"})
            return {"user_id": user.id, "email": user.email}
