"""identity's passkey entrypoints (a mixin of IdentityService): registering a passkey (the
current password required, as for 2-step set-up: whoever registers one can sign in with it),
listing, renaming and removing the user's passkeys (removing needs the password too: a
stolen session must not take away the owner's way in), and signing in with one. Each change
is audited, emits ``identity.security_settings_changed`` (what: passkey_added,
passkey_renamed, passkey_removed) and mails a security alert.

``rp`` is the relying party ``{id, origin, name}`` the gateway derived from the host the
browser used (gateway/relying_party.py)."""
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.contracts import actor as contract_actor
from services.contracts.errors import (Conflict, InvalidInput, NotFound, Throttled,
                                       Unauthenticated)
from services.contracts.identity import PasskeyName
from services.contracts.loading import load
from services.identity import (onlineids, passkey_sign_in, passkeys, throttle,
                               webauthn_challenges)
from services.identity.signing_in import Outcome

PASSKEY_REFUSED = "That passkey is not one we know, or it could not be verified."
THROTTLED = "Too many failed sign-ins. Wait a moment and try again."


class UserPasskeys:
    """Needs ``db``, ``_step_up`` and ``_changed`` (SecuritySettings) on the service class."""

    @rpc(expected_exceptions=(NotFound, Conflict, InvalidInput, Throttled))
    def start_passkey_registration(self, user_id, current_password, rp):
        """Options for navigator.credentials.create() after the current password:
        ``{challenge_id, options}`` (the challenge single use, 5 minutes). Raises
        InvalidInput (password missing or wrong), Throttled (wrong passwords), Conflict
        (the most passkeys a user may have)."""
        self._step_up(user_id, current_password)
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            return passkeys.registration_options(tx.session, user, rp, clock.now())

    @rpc(expected_exceptions=(NotFound, Conflict, InvalidInput))
    def add_passkey(self, user_id, challenge_id, credential, name, rp, actor=None):
        """Verifies the browser's ``credential`` for the user's registration challenge and
        keeps the passkey as ``name``. Returns ``{id, name, created_at, last_used_at,
        transports}``. Raises InvalidInput (challenge unknown, used, expired or another
        user's; a credential that does not verify; a bad name), Conflict (registered
        already). Emits security_settings_changed (what: passkey_added)."""
        where, at = contract_actor.where(actor), clock.now()
        name = _name(name)
        with self.db.transaction() as tx:  # spent even when the credential fails below
            challenge = webauthn_challenges.spend(tx.session, challenge_id, "register", at,
                                                  user_id=str(user_id))
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, str(user_id))
            row = passkeys.register(tx.session, user.id, challenge, credential, name, rp, at)
            self._changed(tx, user, "passkey_added", at, where)
            return passkeys.item(row)

    @rpc
    def list_passkeys(self, user_id):
        """Returns ``{items: [{id, name, created_at, last_used_at, transports}]}``, oldest
        first (never a key)."""
        with self.db.transaction() as tx:
            return {"items": [passkeys.item(row)
                              for row in passkeys.of_user(tx.session, str(user_id))]}

    @rpc(expected_exceptions=(NotFound, InvalidInput))
    def rename_passkey(self, user_id, passkey_id, name, actor=None):
        """Renames one of the user's passkeys; returns it. Raises NotFound (not one of
        theirs), InvalidInput (name). Emits security_settings_changed (passkey_renamed)."""
        where, at, name = contract_actor.where(actor), clock.now(), _name(name)
        with self.db.transaction() as tx:
            row = passkeys.own(tx.session, str(user_id), passkey_id)
            if row.name != name:
                row.name = name
                self._changed(tx, onlineids.get_user(tx.session, row.user_id),
                              "passkey_renamed", at, where)
            return passkeys.item(row)

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def remove_passkey(self, user_id, passkey_id, current_password, actor=None):
        """Removes one of the user's passkeys (the current password required). Returns None.
        Raises NotFound (not one of theirs: said before the password is checked, which
        tells a thief nothing they could not list), InvalidInput (password), Throttled.
        Emits security_settings_changed (what: passkey_removed)."""
        where = contract_actor.where(actor)
        with self.db.transaction() as tx:
            passkeys.own(tx.session, str(user_id), passkey_id)
        self._step_up(user_id, current_password)
        at = clock.now()
        with self.db.transaction() as tx:
            row = passkeys.own(tx.session, str(user_id), passkey_id)
            tx.session.delete(row)
            self._changed(tx, onlineids.get_user(tx.session, row.user_id), "passkey_removed",
                          at, where)

    @rpc(expected_exceptions=Throttled)
    def start_passkey_sign_in(self, rp, purpose="sign_in", actor=None):
        """Options for navigator.credentials.get(): ``{challenge_id, options}`` for a sign-in
        with a passkey alone (``purpose`` sign_in) or the second step of a password sign-in
        (second_step). No credential is listed: nothing here says who has passkeys. Raises
        Throttled past the client address's hourly allowance (``actor``'s ip): each keeps a
        challenge row, asked by anyone."""
        purpose = purpose if purpose in ("sign_in", "second_step") else "sign_in"
        at = clock.now()
        with self.db.transaction() as tx:
            throttle.reserve(tx.session, [("passkey_options_ip",
                                           contract_actor.of(actor)["ip"])], at)
            return passkeys.assertion_options(tx.session, purpose, rp, at)

    @rpc(expected_exceptions=(InvalidInput, Unauthenticated, Throttled))
    def sign_in_with_passkey(self, challenge_id, credential, rp, actor=None):
        """Opens a session for the owner of the passkey that signed the sign-in challenge.
        Returns ``{user_id, username, session_id, refresh_token}`` as sign_in does. Raises
        InvalidInput (challenge unknown, used or expired), Unauthenticated (unknown
        passkey, bad signature, wrong origin or RP id, a counter that did not grow: one
        message), Throttled (failures from the address, counted like failed sign-ins).
        Emits ``identity.signed_in``; mails a sign-in alert as sign_in does."""
        where = contract_actor.of(actor)
        attempt = passkey_sign_in.sign_in(self.db, challenge_id, credential, rp, where["ip"],
                                          where["user_agent"], clock.now())
        if attempt.outcome is Outcome.THROTTLED:
            raise Throttled(THROTTLED, retry_after=attempt.retry_after)
        if attempt.outcome is not Outcome.SIGNED_IN:
            raise Unauthenticated(PASSKEY_REFUSED)
        return {"user_id": attempt.user_id, "username": attempt.username,
                "session_id": attempt.session_id, "refresh_token": attempt.refresh_token}


def _name(name):
    # stripped before it is checked: a name of spaces alone was kept as "" (a blank row
    # on the security page, "New name for " its label)
    return load(PasskeyName, {"name": name.strip() if isinstance(name, str) else name})["name"]
