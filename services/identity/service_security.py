"""identity's security-settings entrypoints (a mixin of IdentityService): the security code,
the challenge question, security preferences and 2-step sign-in. Each change is audited,
emits ``identity.security_settings_changed`` and mails a security alert (always). What
weakens security (2-step set up or replaced, the code no longer required for payments)
needs the current password, checked and throttled like the change-password form's."""
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.contracts import actor as contract_actor
from services.contracts.errors import Conflict, InvalidInput, NotFound, Throttled
from services.identity import (alerts, audit, challenge, onlineids, passwords, preferences,
                               recovery, security_code, throttle, totp)

THROTTLED = "Too many wrong passwords. Wait a moment and try again."


class SecuritySettings:
    """Needs ``db`` and ``notifications_rpc`` on the service class."""

    def _check_password(self, user_id, current_password):
        """Wrong current passwords count like failed sign-ins: a stolen session is no
        licence to guess the password through these forms. Returns the user (detached)."""
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            stored, key = user.password_hash, throttle.user_key(user.username)
        matches = self._guess("user", key, THROTTLED,
                              lambda: passwords.verify(stored, str(current_password or "")))
        recovery.check_current(matches)
        return user

    def _step_up(self, user_id, current_password, missing=preferences.NEEDS_PASSWORD):
        """The current password a change that weakens security asks for: InvalidInput
        (``missing``) when none was given, else ``_check_password``."""
        if not current_password:
            raise InvalidInput({"current_password": [missing]})
        return self._check_password(user_id, current_password)

    def _guess(self, kind, key, throttled, check, at=None):
        """Runs ``check()`` (a password or answer compared) as one guess on the throttle key
        ``key`` of ``kind`` (throttle.FREE): the guess is counted as a failure before it is
        checked, on the key's row held locked, and given back when ``check()`` is true, so
        concurrent guesses queue and a burst gets no more of them than the throttle allows
        (checked first and counted after, every guess of a burst was checked). Raises
        Throttled (``throttled``, ``retry_after``) before checking anything when the key
        must wait. Returns what ``check()`` returned."""
        at = at or clock.now()
        with self.db.transaction() as tx:
            row = throttle.lock(tx.session, [key], at)[key]
            wait = throttle.wait_seconds(row, throttle.FREE[kind], at)
            if not wait:
                throttle.count(row, at)
        if wait:
            raise Throttled(throttled, retry_after=wait)
        matches = check()
        if matches:
            with self.db.transaction() as tx:
                throttle.give_back(tx.session, [key], at)
        return matches

    def _changed(self, tx, user, what, at, where):
        audit.record(tx.session, at, f"security settings changed: {what}",
                     actor_user_id=user.id, subject_user_id=user.id, where=where)
        tx.emit("security_settings_changed", {"user_id": user.id, "what": what})
        alerts.security_alert(tx, user.email, user.id, user.first_name, what, at, where)

    @rpc(expected_exceptions=NotFound)
    def get_security_settings(self, user_id):
        """Returns ``{security_code_set, challenge_question_id, totp_enabled, totp_pending,
        recovery_codes_left, preferences}`` (never a secret). Raises NotFound."""
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            return {"security_code_set": bool(user.security_code_hash),
                    "challenge_question_id": user.challenge_question_id,
                    "totp_enabled": bool(user.totp_secret),
                    "totp_pending": bool(user.totp_pending_secret),
                    "recovery_codes_left": totp.recovery_codes_left(tx.session, user.id)
                    if user.totp_secret else 0,
                    "preferences": preferences.of(user)}

    @rpc(expected_exceptions=NotFound)
    def get_security_preferences(self, user_id):
        """Returns ``{sign_in_alerts, require_security_code_for_payments}`` (payments asks
        before each payment). Raises NotFound."""
        with self.db.transaction() as tx:
            return preferences.of(onlineids.get_user(tx.session, user_id))

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def update_security_preferences(self, user_id, changes, actor=None, current_password=None):
        """Takes a partial ``{sign_in_alerts?, require_security_code_for_payments?}`` and
        ``actor`` (contracts.actor); returns the preferences. No longer requiring the
        security code for payments needs ``current_password``. Raises InvalidInput (not
        booleans; requiring a code that is not set; password missing or wrong), Throttled
        (wrong passwords). Emits security_settings_changed."""
        where = contract_actor.where(actor)
        data, at = preferences.load(changes), clock.now()
        with self.db.transaction() as tx:
            weakens = preferences.weakens(onlineids.get_user(tx.session, user_id), data)
        if weakens:  # a stolen session must not switch off what guards payments
            self._step_up(user_id, current_password)
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            if preferences.apply(user, data):
                self._changed(tx, user, "preferences", at, where)
            return preferences.of(user)

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def check_current_password(self, user_id, current_password):
        """Step-up for changes other services make (a new paperless address): None when
        ``current_password`` is the user's. Raises InvalidInput (missing or wrong: the field
        ``current_password``), Throttled (wrong passwords count like failed sign-ins)."""
        self._step_up(user_id, current_password)

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def set_security_code(self, user_id, current_password, code, actor=None):
        """Sets or changes the 4-digit code (argon2id at rest). Returns None. Raises
        InvalidInput (not 4 digits, current password wrong), Throttled. Emits
        security_settings_changed (what: security_code)."""
        where = contract_actor.where(actor)
        code = security_code.check_format(code)
        self._check_password(user_id, current_password)
        hashed, at = passwords.hash_password(code), clock.now()
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            user.security_code_hash = hashed
            throttle.forget(tx.session, security_code.key(user_id))
            self._changed(tx, user, "security_code", at, where)

    @rpc(expected_exceptions=(NotFound, Throttled))
    def check_payment_security(self, user_id, code=None):
        """Whatever a payment by ``user_id`` needs from identity, in one call (payments asks
        before each payment a user makes): takes the ``code`` the payer gave (or None) and
        returns ``{code_required, code_valid}``: whether the user's preference requires the
        security code for payments, and whether ``code`` is it (None when no code is
        required or none was given: nothing is counted then). A wrong code counts like a
        failed sign-in (security_code.verify). Raises NotFound (no such user), Throttled
        (too many wrong codes). The code is never stored or logged."""
        return security_code.for_payment(self.db, user_id, code, clock.now())

    @rpc
    def list_challenge_questions(self):
        """Returns ``{items: [{id, text}]}``: the questions one may choose."""
        return {"items": challenge.questions()}

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def set_challenge(self, user_id, current_password, question_id, answer, actor=None):
        """Sets the challenge question and its answer (normalised, argon2id). Returns None.
        Raises InvalidInput, Throttled (wrong passwords). Emits security_settings_changed
        (what: challenge)."""
        where = contract_actor.where(actor)
        question_id, normalised = challenge.load(question_id, answer)
        self._check_password(user_id, current_password)
        hashed, at = passwords.hash_password(normalised), clock.now()
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            user.challenge_question_id, user.challenge_answer_hash = question_id, hashed
            self._changed(tx, user, "challenge", at, where)

    @rpc(expected_exceptions=(NotFound, Conflict, InvalidInput, Throttled))
    def start_totp(self, user_id, current_password=None):
        """Begins 2-step set-up (``current_password`` required: whoever holds the app holds
        the sign-in). Returns ``{secret, otpauth_uri, recovery_codes}`` (the ten codes work
        once confirmed; shown only now). Raises InvalidInput (password missing or wrong),
        Throttled, Conflict when already on."""
        self._step_up(user_id, current_password)
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            secret = totp.start(user, self.config.get("SECRET_KEY"))
            codes = totp.new_recovery_codes(tx.session, user.id, clock.now())
            return {"secret": secret, "otpauth_uri": totp.otpauth_uri(secret, user.username),
                    "recovery_codes": codes}

    @rpc(expected_exceptions=(NotFound, Conflict, InvalidInput, Throttled))
    def confirm_totp(self, user_id, code, actor=None, current_password=None):
        """Turns 2-step sign-in on with a current code from the app (and
        ``current_password``). Returns None. Raises InvalidInput (wrong code; password
        missing or wrong), Throttled, Conflict (not set up, already on). Emits
        security_settings_changed (what: totp_enabled)."""
        where = contract_actor.where(actor)
        self._step_up(user_id, current_password)
        at = clock.now()
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            totp.confirm(tx.session, user, str(code or ""), at, self.config.get("SECRET_KEY"))
            self._changed(tx, user, "totp_enabled", at, where)

    @rpc(expected_exceptions=(NotFound, Conflict, InvalidInput, Throttled))
    def disable_totp(self, user_id, current_password, actor=None):
        """Turns 2-step sign-in off (the password required); its recovery codes go. Returns
        None. Raises InvalidInput (password), Throttled, Conflict (not on). Emits
        security_settings_changed (what: totp_disabled)."""
        where = contract_actor.where(actor)
        self._check_password(user_id, current_password)
        at = clock.now()
        with self.db.transaction() as tx:
            user = onlineids.get_user(tx.session, user_id)
            if not user.totp_secret:
                raise Conflict("2-step sign-in is not on.")
            totp.turn_off(tx.session, user)
            self._changed(tx, user, "totp_disabled", at, where)

