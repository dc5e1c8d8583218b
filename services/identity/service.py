"""The identity nameko service: thin entrypoints over identity's domain modules."""
import logging
from datetime import timedelta

from nameko.dependency_providers import Config
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue
from nameko.timer import timer

from services.contracts import actor as contract_actor
from services.contracts.errors import (Conflict, InvalidInput, NotFound, Refused, Throttled,
                                       Unauthenticated)
from services.contracts.identity import ACCESS_TOKEN_SECONDS
from services.identity import (availability, onlineids, passwords, recovery,
                               recovery_requests, sessions, signing_in, throttle, totp)
from services.identity.signing_in import Outcome
from services.identity.service_email import EmailChanges
from services.identity.models import Session, metadata
from services.identity.service_security import SecuritySettings
from services.identity.service_passkeys import UserPasskeys
from services.identity.service_sessions import UserSessions
from services.identity.service_users import AccountUsers
from services.identity.service_accounts import AccountLinks
from services.runtime.background import Background
from services.runtime.rpc import TimedRpcProxy
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.service_dead_letters import DeadLettersMixin
from services.runtime.service_health import HealthMixin

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "That username and password do not match our records."
THROTTLED = ("Too many failed sign-ins. Wait a moment and try again, or reset your password "
             "with 'Forgot password'.")



class IdentityService(HealthMixin, DeadLettersMixin, SecuritySettings, AccountUsers,
                      EmailChanges, AccountLinks, UserSessions, UserPasskeys):
    name = "identity"

    db = Database(metadata)
    log_context = LogContext()
    config = Config()
    billing_rpc = TimedRpcProxy("billing")
    notifications_rpc = TimedRpcProxy("notifications")
    background = Background()

    # -- sign-up -------------------------------------------------------------------------

    @rpc(expected_exceptions=(InvalidInput, Refused, Conflict, Throttled))
    def signup(self, request, actor=None):
        """Creates an account's first online ID, as its admin.

        Takes contracts.identity.SignupRequest and ``actor`` (contracts.actor: the client's
        address). Returns ``{user_id, username}``. Raises InvalidInput (fields, password
        rules), Throttled (too many failed sign-ups from its ip, or attempts on the account
        number), Refused (account number and key do not match: one message for both),
        Conflict (username taken or account already has an ID: one message for both, and the
        claim is checked before the username). Emits ``identity.user_registered``.
        """
        data, at = onlineids.load_signup(request), clock.now()
        ip = contract_actor.of(actor)["ip"]
        with self.db.transaction() as tx:  # a failure until it succeeds
            throttle.reserve(tx.session, [("signup_ip", ip),
                                          ("signup_account", data["account_number"])], at)
        onlineids.check_key(self.billing_rpc.verify_account_key(
            data["account_number"], data["security_key"]))
        with self.db.transaction() as tx:
            availability.check_signup(tx.session, data["account_number"], data["username"])
        password_hash = passwords.hash_password(data["password"])
        try:
            with self.db.transaction() as tx:
                user = onlineids.create_first_user(tx.session, data, password_hash)
                throttle.give_back(tx.session, [throttle.quota_key("signup_ip", ip)], at)
                tx.emit("user_registered",
                        onlineids.registered_event(user, data["account_number"], "admin"))
        except Conflict:  # a concurrent sign-up won: still the one message
            raise Conflict(availability.UNAVAILABLE) from None
        return {"user_id": user.id, "username": user.username}

    # -- sign-in and sessions ------------------------------------------------------------

    @rpc(expected_exceptions=(Unauthenticated, Throttled))
    def sign_in(self, username, password, actor=None, totp_code=None, passkey=None, rp=None):
        """Checks a username and password (and, with 2-step sign-in on, ``totp_code``: a
        code from the app or a recovery code, each usable once; or ``passkey``, an answer
        ``{challenge_id, credential}`` to a second_step challenge for the relying party
        ``rp``) and opens a session; ``actor`` (contracts.actor) says from where (its ip
        and user_agent).

        Returns ``{user_id, username, session_id, refresh_token}`` (the gateway signs the
        access token). Raises Unauthenticated (one message, the same time for an unknown
        user; another asking for the 2-step code), Throttled (``retry_after``; wrong 2-step
        codes count as failures). Emits ``identity.signed_in``, and
        ``identity.sign_in_locked`` when an ID starts being throttled. Mails a sign-in alert
        for a new browser or address when the user asked for them.
        """
        where = contract_actor.of(actor)
        attempt = signing_in.sign_in(self.db, self.config.get("SECRET_KEY"), self._changed,
                                     username, password, where["ip"], where["user_agent"],
                                     totp_code, clock.now(), passkey=passkey, rp=rp)
        if attempt.outcome is Outcome.THROTTLED:
            raise Throttled(THROTTLED, retry_after=attempt.retry_after)
        if attempt.outcome is Outcome.BAD_CREDENTIALS:
            raise Unauthenticated(BAD_CREDENTIALS)
        if attempt.outcome is Outcome.TOTP_NEEDED:
            raise Unauthenticated(totp.NEEDED, {"totp_required": True})
        if attempt.outcome is Outcome.TOTP_WRONG:
            raise Unauthenticated(totp.WRONG, {"totp_required": True})
        return {"user_id": attempt.user_id, "username": attempt.username,
                "session_id": attempt.session_id, "refresh_token": attempt.refresh_token}

    @rpc(expected_exceptions=Unauthenticated)
    def refresh_session(self, refresh_token):
        """Spends a refresh token for a new one.

        Returns ``{user_id, username, session_id, refresh_token}``. Raises Unauthenticated for
        an unknown or spent token or an ended session; a spent token ends its session.
        Emits ``identity.session_ended`` then.
        """
        at = clock.now()
        with self.db.transaction() as tx:
            row, new_token = sessions.refresh(tx.session, refresh_token, at)
            if new_token is None:
                ended = sessions.end(tx.session, row, at, "refresh_token_reused")
                if ended:
                    tx.emit("session_ended", ended)
            else:
                user = onlineids.get_user(tx.session, row.user_id)
        if new_token is None:
            raise Unauthenticated(sessions.EXPIRED)
        return {"user_id": row.user_id, "username": user.username, "session_id": row.id,
                "refresh_token": new_token}

    @rpc
    def end_session(self, session_id, reason="signed_out"):
        """Ends a session (sign-out). Returns None. Emits ``identity.session_ended``."""
        with self.db.transaction() as tx:
            ended = sessions.end(tx.session, tx.session.get(Session, session_id), clock.now(), reason)
            if ended:
                tx.emit("session_ended", ended)

    @rpc
    def get_session(self, session_id):
        """Returns ``{active, user_id, username}`` for a session (None fields if unknown).
        A gateway worker asks once per session per token lifetime, so this notes the
        session's use (``last_seen_at``, written at most every sessions.SEEN_EVERY)."""
        at = clock.now()
        with self.db.transaction() as tx:
            row = tx.session.get(Session, str(session_id))
            if not sessions.is_active(row, at):
                return {"active": False, "user_id": None, "username": None}
            sessions.seen(row, at)
            user = onlineids.get_user(tx.session, row.user_id)
            return {"active": True, "user_id": user.id, "username": user.username}

    @rpc
    def list_ended_sessions(self, seconds=ACCESS_TOKEN_SECONDS + 60):
        """Returns the ids of sessions ended in the last ``seconds`` (the gateway fetches it
        at start so that tokens of sessions ended before it listened are still refused)."""
        with self.db.transaction() as tx:
            return sessions.ended_since(tx.session, clock.now() - timedelta(seconds=int(seconds)))

    # -- users and roles -----------------------------------------------------------------

    @rpc(expected_exceptions=NotFound)
    def get_user(self, user_id):
        """Returns ``{user_id, username, email, first_name, last_name, pending_email}``
        (``email`` is where everything goes until a pending change is confirmed; changes:
        ``update_user`` in service_email.py); raises NotFound."""
        with self.db.transaction() as tx:
            return self._public(tx.session, onlineids.get_user(tx.session, user_id), clock.now())

    @rpc
    def get_account_role(self, user_id, account_number):
        """Returns the user's role on the account (admin|billing|viewer) or None."""
        with self.db.transaction() as tx:
            return onlineids.account_role(tx.session, user_id, account_number)

    @rpc
    def list_user_accounts(self, user_id):
        """Returns ``[{account_number, role}]`` for the accounts the user belongs to."""
        with self.db.transaction() as tx:
            return onlineids.user_accounts(tx.session, user_id)

    @rpc
    def list_account_users(self, account_number):
        """Returns ``[{user_id, username, email, role}]`` of an account, by username."""
        with self.db.transaction() as tx:
            return onlineids.account_users(tx.session, account_number)

    # -- recovery and password changes ---------------------------------------------------

    @rpc(expected_exceptions=Throttled)
    def request_username_reminder(self, email, actor=None):
        """Mails the usernames tied to ``email`` (nothing when none). Returns None. Raises
        Throttled (too many for that email, or from the ``actor``'s ip: counted by what was
        typed, so it says nothing about who exists). Answers before looking anyone up, so it takes
        the same time whether or not the address has usernames; the request is recorded
        with its allowance, so it is done even if this process dies before doing it."""
        ip = contract_actor.of(actor)["ip"]
        self._request_recovery("username_reminder",
                               [("reminder_email", email), ("reminder_ip", ip)], email, ip)

    @rpc(expected_exceptions=Throttled)
    def request_password_reset(self, username, actor=None):
        """Mails a single-use reset link (30 minutes) to the user's email. Returns None.
        Raises Throttled (too many for that username, or from the ``actor``'s ip: counted by
        what was typed, so it says nothing about who exists). Answers before looking the user up, so
        it does the same work in the same time whether or not the user exists; the request
        is recorded with its allowance, so it is done even if this process dies first."""
        ip = contract_actor.of(actor)["ip"]
        self._request_recovery("password_reset",
                               [("reset_user", username), ("reset_ip", ip)], username, ip)

    def _request_recovery(self, kind, allowances, identifier, ip):
        at = clock.now()
        with self.db.transaction() as tx:
            throttle.reserve(tx.session, allowances, at)
            request_id = recovery_requests.record(tx.session, kind, identifier, ip, at)
        self.background.spawn(self._do_recovery_request, request_id)

    def _do_recovery_request(self, request_id):
        """Looks up, issues the token and mails (recovery_requests.py: at least once; a
        request another worker holds or has done is left alone)."""
        at = clock.now()
        with self.db.transaction() as tx:
            claimed = recovery_requests.claim(tx.session, request_id, at)
            if claimed is None:
                return
            mail = recovery_requests.mail_for(tx.session, *claimed, at,
                                              self.config["PUBLIC_URL"])
            if mail is None:  # nobody by that name: nothing to send
                recovery_requests.finish(tx.session, request_id, at)
        if mail is not None:
            # waited for: notifications has recorded the mail once it answers; done only then
            self.notifications_rpc.send_email(**mail)
            with self.db.transaction() as tx:
                recovery_requests.finish(tx.session, request_id, clock.now())

    @timer(interval=recovery_requests.SWEEP_SECONDS)
    def sweep_recovery_requests(self):
        """Does the forgot-* requests left undone ``GRACE`` after they were asked (the
        process died before its background work, or during it), one claim each across
        replicas, and prunes old done ones. Returns None; mails as the requests would."""
        at = clock.now()
        with self.db.transaction() as tx:
            recovery_requests.prune(tx.session, at)
            due = recovery_requests.due(tx.session, at)
        for request_id in due:
            try:
                self._do_recovery_request(request_id)
            except Exception:  # noqa: BLE001 - the next sweep tries it again
                log.exception("recovery request %s failed; it is tried again", request_id)

    @rpc(expected_exceptions=(InvalidInput, Refused, Throttled))
    def reset_password(self, token, new_password, challenge_answer=None):
        """Sets a new password with a mailed reset token (and the challenge answer when the
        user set a question). Returns None. Raises Refused (token used, expired or unknown;
        wrong answer), Throttled (too many wrong answers), InvalidInput (password rules). Ends every session of the user.
        Emits ``identity.password_changed`` (via reset) and ``identity.session_ended``.
        """
        at = clock.now()
        with self.db.transaction() as tx:
            row = recovery.pending_reset(tx.session, str(token), at)
            user = onlineids.get_user(tx.session, row.user_id)
            recovery.check_new_password(user, new_password)
            answer_hash = user.challenge_answer_hash
        if answer_hash:
            self._check_challenge(user, answer_hash, challenge_answer, at)
        password_hash = passwords.hash_password(new_password)
        with self.db.transaction() as tx:
            row = recovery.pending_reset(tx.session, str(token), at)
            if not recovery.use_reset(tx.session, row, at):
                raise Refused(recovery.BAD_TOKEN)
            user = onlineids.get_user(tx.session, row.user_id)
            recovery.set_password(user, password_hash, at)
            throttle.forget(tx.session, throttle.user_key(user.username))
            for ended in sessions.end_all(tx.session, user.id, at, "password_reset"):
                tx.emit("session_ended", ended)
            tx.emit("password_changed", {"user_id": user.id, "via": "reset"})

    def _check_challenge(self, user, answer_hash, answer, at):
        """Wrong answers are throttled like sign-ins: a mailed link is no licence to guess
        (each answer counted before it is checked, SecuritySettings._guess: no burst gets
        more). No answer is not a guess: the question is asked."""
        key = throttle.challenge_key(user.id)
        if not answer:
            with self.db.transaction() as tx:
                wait = throttle.retry_after(tx.session, [("challenge", key)], at)
            if wait:
                raise Throttled(recovery.TOO_MANY_ANSWERS, retry_after=wait)
            recovery.check_challenge(user, False)
        matches = self._guess("challenge", key, recovery.TOO_MANY_ANSWERS, lambda: (
            passwords.verify(answer_hash, recovery.normalise_answer(answer))), at)
        recovery.check_challenge(user, matches)

    @rpc(expected_exceptions=(InvalidInput, NotFound, Throttled))
    def change_password(self, user_id, session_id, current_password, new_password):
        """Changes a signed-in user's password; every other session of the user ends.

        Raises InvalidInput (current password wrong, new one against the rules), Throttled
        (wrong current passwords count like failed sign-ins). Emits
        ``identity.password_changed`` (via change) and ``identity.session_ended``.
        """
        user = self._check_password(user_id, current_password)
        recovery.check_new_password(user, new_password)
        password_hash = passwords.hash_password(new_password)
        at = clock.now()
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            recovery.set_password(user, password_hash, at)
            recovery.end_resets(tx.session, user.id, at)  # a mailed link opens nothing now
            for ended in sessions.end_all(tx.session, user.id, at, "password_changed",
                                          keep=session_id):
                tx.emit("session_ended", ended)
            tx.emit("password_changed", {"user_id": user.id, "via": "change"})
