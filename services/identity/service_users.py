"""identity's account-users entrypoints (a mixin of IdentityService): invitations (sent,
listed, revoked, accepted), roles, removal, and the audit trail (including what billing and payments report by event)."""
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.contracts import actor as contract_actor
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused, Throttled
from services.identity import (alerts, audit, availability, invitations, memberships,
                               onlineids, passwords, sessions, throttle)
from services.identity.models import User
from services.runtime.handlers import reliable_handler


class AccountUsers:
    """Needs ``db``, ``config`` and ``notifications_rpc`` on the service class."""

    def _admins_to_alert(self, session, account_number):
        return [(u.email, u.id, u.first_name) for u in
                (session.get(User, i) for i in memberships.admins(session, account_number))]

    def _alert_all(self, tx, recipients, what, at, where, detail=""):
        for to, user_id, first_name in recipients:
            alerts.security_alert(tx, to, user_id, first_name, what, at, where, detail)

    @rpc(expected_exceptions=(InvalidInput, Throttled))
    def invite_user(self, account_number, actor_user_id, request, actor=None,
                    company_name=None):
        """An admin invites ``{email, role}`` to the account (the gateway checked the role).
        Mails a single-use link valid 7 days (direct RPC: the token is never on an event).
        Returns ``{id, email, role, expires_at}``. Raises InvalidInput, Throttled (too many
        invitations to that address, from the account or from the admin's address). Emits
        ``identity.user_invited`` (no token)."""
        where = contract_actor.where(actor)
        data, at = invitations.load_invite(request), clock.now()
        with self.db.transaction() as tx:
            throttle.reserve(tx.session, [("invite_email", data["email"]),
                                          ("invite_account", account_number),
                                          ("invite_ip", (where or {}).get("ip"))], at)
        with self.db.transaction() as tx:
            token, invitation_id = invitations.create(
                tx.session, account_number, data["email"], data["role"], actor_user_id, at)
            audit.record(tx.session, at, "user invited", actor_user_id=actor_user_id,
                         account_number=account_number,
                         detail=f"{data['email']} as {data['role']}", where=where)
            tx.emit("user_invited", {"account_number": account_number,
                                     "email": data["email"], "role": data["role"]})
            inviter = onlineids.get_user(tx.session, actor_user_id)
            inviter_name = f"{inviter.first_name} {inviter.last_name}"
            recipients = self._admins_to_alert(tx.session, account_number)
            self._alert_all(tx, recipients, "user_invited", at, where,
                            f"{data['email']} was invited as {data['role']}.")
        self.notifications_rpc.send_email.call_async(
            to=data["email"], category="invitation", template="invitation",
            context={"link": invitations.link(self.config["PUBLIC_URL"], token),
                     "inviter": inviter_name, "role": data["role"],
                     "company_name": company_name or f"account {account_number}",
                     "days": invitations.LIFETIME.days},
            account_number=account_number, secret_keys=["link"])
        return {"id": invitation_id, "email": data["email"], "role": data["role"],
                "expires_at": (at + invitations.LIFETIME).isoformat()}

    @rpc(expected_exceptions=InvalidInput)
    def list_invitations(self, account_number, limit=20, cursor=None):
        """Returns the account's pending invitations ``{items: [{id, email, role,
        invited_by (username), created_at, expires_at}], next_cursor}``, newest first (the
        gateway lets only admins ask). Raises InvalidInput (a bad limit or cursor)."""
        with self.db.transaction() as tx:
            return invitations.list_pending(tx.session, str(account_number), clock.now(),
                                            limit, cursor)

    @rpc(expected_exceptions=NotFound)
    def revoke_invitation(self, account_number, actor_user_id, invitation_id, actor=None):
        """Revokes a pending invitation of the account: its link stops working. Returns
        None. Raises NotFound (no such pending invitation on the account). Emits
        ``identity.invitation_revoked``."""
        where = contract_actor.where(actor)
        at = clock.now()
        with self.db.transaction() as tx:
            row = invitations.revoke(tx.session, account_number, invitation_id, at)
            audit.record(tx.session, at, "invitation revoked", actor_user_id=actor_user_id,
                         account_number=account_number, detail=f"{row.email} as {row.role}",
                         where=where)
            self._revoked(tx, [row])

    def _revoked(self, tx, rows):
        for row in rows:
            tx.emit("invitation_revoked", {
                "account_number": row.account_number, "invitation_id": row.id,
                "email": row.email, "role": row.role, "reason": row.revoked_reason})

    @rpc(expected_exceptions=Refused)
    def get_invitation(self, token):
        """Returns ``{account_number, email, role}`` of a pending invitation; Refused when
        it is used, revoked, expired or unknown, or its inviter is no longer an admin (the
        acceptance page says so before asking more)."""
        with self.db.transaction() as tx:
            row = invitations.pending(tx.session, str(token), clock.now())
            return {"account_number": row.account_number, "email": row.email,
                    "role": row.role}

    @rpc(expected_exceptions=(InvalidInput, Refused, Conflict, Throttled))
    def accept_invitation(self, request, actor=None):
        """Takes ``{token, username, password, first_name, last_name}``; creates an online ID
        with the invited role on the account. Returns ``{user_id, username}``. Raises
        InvalidInput, Refused (token used, revoked, expired, unknown, or its inviter no
        longer an admin), Conflict (username not available: one message that a stranger
        cannot tell from any other clash), Throttled (too many failed tries with this
        token). Emits ``identity.user_registered``."""
        where = contract_actor.where(actor)
        data, at = invitations.load_accept(request), clock.now()
        key = throttle.invitation_key(data["token"])
        with self.db.transaction() as tx:
            invitations.pending(tx.session, data["token"], at)  # before any hash
        with self.db.transaction() as tx:  # a failure until it succeeds
            row = throttle.lock(tx.session, [key], at)[key]
            wait = throttle.wait_seconds(row, throttle.FREE["invitation"], at)
            if not wait:
                throttle.count(row, at)
        if wait:
            raise Throttled(invitations.TOO_MANY_TRIES, retry_after=wait)
        with self.db.transaction() as tx:
            availability.check_username(tx.session, data["username"])
        password_hash = passwords.hash_password(data["password"])
        with self.db.transaction() as tx:
            user, row = invitations.accept(tx.session, data["token"], data, password_hash, at)
            throttle.forget(tx.session, key)
            audit.record(tx.session, at, "user joined", actor_user_id=user.id,
                         account_number=row.account_number, subject_user_id=user.id,
                         detail=f"{user.username} ({row.email}) as {row.role}", where=where)
            tx.emit("user_registered",
                    onlineids.registered_event(user, row.account_number, row.role))
            recipients = self._admins_to_alert(tx.session, row.account_number)
            account_number, role = row.account_number, row.role
            self._alert_all(tx, recipients, "user_joined", at, where,
                            f"{user.username} joined as {role} (account {account_number}).")
        return {"user_id": user.id, "username": user.username}

    @rpc(expected_exceptions=(InvalidInput, NotFound, Conflict))
    def change_user_role(self, account_number, actor_user_id, user_id, role, actor=None):
        """Sets a user's role on the account. Returns ``{user_id, username, email, role}``.
        Raises InvalidInput, NotFound (not a user of it), Conflict (the last admin).
        Emits ``identity.role_changed``."""
        where = contract_actor.where(actor)
        at = clock.now()
        with self.db.transaction() as tx:
            previous = memberships.change_role(tx.session, account_number, user_id, role)
            user = onlineids.get_user(tx.session, user_id)
            result = {"user_id": user.id, "username": user.username, "email": user.email,
                      "role": role}
            if previous == role:
                return result
            audit.record(tx.session, at, "role changed", actor_user_id=actor_user_id,
                         account_number=account_number, subject_user_id=user.id,
                         detail=f"{user.username}: {previous} to {role}", where=where)
            tx.emit("role_changed", {"account_number": account_number, "user_id": user.id,
                                     "role": role})
            if previous == "admin":  # what they sent as admin is no longer vouched for
                self._revoked(tx, invitations.revoke_sent_by(
                    tx.session, account_number, user.id, at, "inviter_demoted"))
            recipients = set(self._admins_to_alert(tx.session, account_number))
            recipients.add((user.email, user.id, user.first_name))
            self._alert_all(tx, sorted(recipients), "role_changed", at, where,
                            f"{user.username} is now {role} (was {previous}).")
        return result

    @rpc(expected_exceptions=(NotFound, Conflict))
    def remove_user(self, account_number, actor_user_id, user_id, actor=None):
        """Removes a user from the account; their sessions end at once (tokens already
        issued stop working). Returns None. Raises NotFound, Conflict (the last admin).
        Emits ``identity.user_removed`` and ``identity.session_ended``."""
        where = contract_actor.where(actor)
        at = clock.now()
        with self.db.transaction() as tx:
            role = memberships.remove(tx.session, account_number, user_id)
            user = onlineids.get_user(tx.session, user_id)
            audit.record(tx.session, at, "user removed", actor_user_id=actor_user_id,
                         account_number=account_number, subject_user_id=user.id,
                         detail=f"{user.username} ({role})", where=where)
            tx.emit("user_removed", {"account_number": account_number, "user_id": user.id,
                                     "role": role})
            self._revoked(tx, invitations.revoke_sent_by(
                tx.session, account_number, user.id, at, "inviter_removed"))
            for ended in sessions.end_all(tx.session, user.id, at, "removed_from_account"):
                tx.emit("session_ended", ended)
            recipients = self._admins_to_alert(tx.session, account_number)
            self._alert_all(tx, recipients, "user_removed", at, where,
                            f"{user.username} was removed (was {role}).")

    @rpc(expected_exceptions=InvalidInput)
    def list_account_audit(self, account_number, limit=20, cursor=None):
        """Returns the account's audit trail ``{items, next_cursor}``, newest first (the
        gateway lets only admins ask). Raises InvalidInput (a bad limit or cursor)."""
        with self.db.transaction() as tx:
            return audit.account_trail(tx.session, str(account_number), limit, cursor)

    # -- changes other services make, recorded once per event ------------------------------

    def _audit_event(self, event, consumer):
        with self.db.apply_once(event, consumer) as tx:
            if tx is not None:
                audit.record_event(tx.session, event)

    @reliable_handler("billing", "profile_changed")
    def on_profile_changed(self, event):
        """Records a company profile change in the audit trail, once per event."""
        self._audit_event(event, "on_profile_changed")

    @reliable_handler("billing", "invoice_delivery_changed")
    def on_invoice_delivery_changed(self, event):
        """Records an invoice delivery change in the audit trail, once per event."""
        self._audit_event(event, "on_invoice_delivery_changed")

    @reliable_handler("billing", "credit_issued")
    def on_credit_issued(self, event):
        """Records a credit to the account (staff's, or a dispute's) in the audit trail, once
        per event."""
        self._audit_event(event, "on_credit_issued")

    @reliable_handler("billing", "dispute_opened")
    def on_dispute_opened(self, event):
        """Records a dispute of a statement line in the audit trail, once per event."""
        self._audit_event(event, "on_dispute_opened")

    @reliable_handler("billing", "dispute_resolved")
    def on_dispute_resolved(self, event):
        """Records how staff resolved a dispute in the audit trail, once per event."""
        self._audit_event(event, "on_dispute_resolved")

    @reliable_handler("payments", "payment_method_added")
    def on_payment_method_added(self, event):
        """Records an added payment method in the audit trail, once per event."""
        self._audit_event(event, "on_payment_method_added")

    @reliable_handler("payments", "payment_method_removed")
    def on_payment_method_removed(self, event):
        """Records a removed payment method in the audit trail, once per event."""
        self._audit_event(event, "on_payment_method_removed")

    @reliable_handler("payments", "autopay_changed")
    def on_autopay_changed(self, event):
        """Records an autopay change in the audit trail, once per event."""
        self._audit_event(event, "on_autopay_changed")
