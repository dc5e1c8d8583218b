"""Signing in with a passkey alone (no username, no password: a discoverable credential with
user verification, which is already two factors: the device and its PIN or biometric).

Throttled like a password sign-in by the client's address: the attempt is counted as a
failure before the assertion is checked (on the address's row held locked, so a burst gets
no more tries than the throttle allows) and given back when it verifies. The challenge is
spent in a transaction of its own first, so a response that fails verification has still
used it up. The session opened is the same as a password sign-in's
(signing_in.open_session)."""
from services.identity import onlineids, passkeys, throttle, webauthn_challenges
from services.identity.signing_in import Attempt, Outcome, open_session


def sign_in(db, challenge_id, credential, rp, ip, user_agent, at):
    """Runs one attempt; returns its Attempt (SIGNED_IN, THROTTLED or BAD_CREDENTIALS).
    Raises InvalidInput (challenge_id) for an unknown, used or expired challenge (counted
    as a failure too)."""
    key = throttle.ip_key(ip)
    with db.transaction() as tx:
        row = throttle.lock(tx.session, [key], at)[key]
        wait = throttle.wait_seconds(row, throttle.FREE["ip"], at)
        if not wait:
            throttle.count(row, at)
    if wait:
        return Attempt(Outcome.THROTTLED, retry_after=wait)
    with db.transaction() as tx:
        challenge = webauthn_challenges.spend(tx.session, challenge_id, "sign_in", at)
    with db.transaction() as tx:
        try:
            passkey = passkeys.check_assertion(tx.session, challenge, credential, rp, at, True)
        except passkeys.AssertionRefused:
            return Attempt(Outcome.BAD_CREDENTIALS)
        user = onlineids.get_user(tx.session, passkey.user_id)
        throttle.give_back(tx.session, [key], at)
        session_row, refresh_token = open_session(tx, user, at, ip, user_agent)
        return Attempt(Outcome.SIGNED_IN, user_id=user.id, username=user.username,
                       session_id=session_row.id, refresh_token=refresh_token)
