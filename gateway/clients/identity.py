"""Identity's RPCs as the gateway uses them: sessions, online IDs, security settings, users
of an account and invitations. ``actor`` is services.contracts.actor's ``{user_id, ip,
user_agent}`` (gateway.actors), for identity's audit trail and security alerts."""
from gateway.rpc import call

# -- sessions and sign-in ----------------------------------------------------------------------


def sign_in(username, password, actor, totp_code, passkey=None, rp=None):
    """The session opened (``{user_id, session_id, refresh_token, ...}``); ``passkey``
    (``{challenge_id, credential}`` for the relying party ``rp``) may stand for the code."""
    return call("identity", "sign_in", username, password, actor=actor, totp_code=totp_code,
                passkey=passkey, rp=rp)


def refresh_session(refresh_token):
    return call("identity", "refresh_session", refresh_token)


def get_session(session_id):
    """``{active, user_id, ...}``: whether identity still holds the session open."""
    return call("identity", "get_session", session_id)


def end_session(session_id):
    return call("identity", "end_session", session_id)


def list_sessions(user_id, current_session_id, limit, cursor=None):
    """``{items: [{id, created_at, last_seen_at, ip, user_agent, current}], next_cursor}``."""
    return call("identity", "list_sessions", user_id, current_session_id, limit, cursor)


def end_user_session(user_id, session_id, actor):
    """Nothing, or NotFound (not an open session of that user)."""
    return call("identity", "end_user_session", user_id, session_id, actor=actor)


def end_other_sessions(user_id, current_session_id, actor):
    """The ids of the sessions ended."""
    return call("identity", "end_other_sessions", user_id, current_session_id, actor=actor)


def signup(body, actor):
    return call("identity", "signup", body, actor=actor)


def request_username_reminder(email, actor):
    return call("identity", "request_username_reminder", email, actor=actor)


def request_password_reset(username, actor):
    return call("identity", "request_password_reset", username, actor=actor)


def reset_password(token, new_password, challenge_answer):
    return call("identity", "reset_password", token, new_password, challenge_answer)


# -- the signed-in user ------------------------------------------------------------------------


def get_user(user_id):
    return call("identity", "get_user", user_id)


def update_user(user_id, changes, session_id, actor, current_password=None):
    """The user with ``pending_email`` (a new email waits for its mailed link)."""
    return call("identity", "update_user", user_id, changes, current_password=current_password,
                session_id=session_id, actor=actor)


def confirm_email_change(token, actor):
    return call("identity", "confirm_email_change", token, actor=actor)


def change_password(user_id, session_id, current_password, new_password):
    return call("identity", "change_password", user_id, session_id, current_password,
                new_password)


def check_current_password(user_id, current_password):
    """Nothing, or InvalidInput / Throttled: identity checks and throttles it."""
    return call("identity", "check_current_password", user_id, current_password)


def get_security_settings(user_id):
    return call("identity", "get_security_settings", user_id)


def set_security_code(user_id, current_password, code, actor):
    return call("identity", "set_security_code", user_id, current_password, code, actor=actor)


def list_challenge_questions():
    return call("identity", "list_challenge_questions")


def set_challenge(user_id, current_password, question_id, answer, actor):
    return call("identity", "set_challenge", user_id, current_password, question_id, answer,
                actor=actor)


def get_security_preferences(user_id):
    return call("identity", "get_security_preferences", user_id)


def update_security_preferences(user_id, changes, actor, current_password):
    return call("identity", "update_security_preferences", user_id, changes, actor=actor,
                current_password=current_password)


def start_totp(user_id, current_password):
    """``{secret, otpauth_uri, recovery_codes}``, shown once."""
    return call("identity", "start_totp", user_id, current_password=current_password)


def confirm_totp(user_id, code, actor, current_password):
    return call("identity", "confirm_totp", user_id, code, actor=actor,
                current_password=current_password)


def disable_totp(user_id, current_password, actor):
    return call("identity", "disable_totp", user_id, current_password, actor=actor)


# -- accounts, users and invitations -----------------------------------------------------------


def get_account_role(user_id, account_number):
    """The user's role on the account, or None."""
    return call("identity", "get_account_role", user_id, account_number)


def list_user_accounts(user_id):
    """``[{account_number, role}]``, the accounts the user belongs to."""
    return call("identity", "list_user_accounts", user_id)


def list_account_users(account_number):
    return call("identity", "list_account_users", account_number)


def list_invitations(account_number, limit, cursor=None):
    return call("identity", "list_invitations", account_number, limit, cursor)


def list_account_audit(account_number, limit, cursor=None):
    return call("identity", "list_account_audit", account_number, limit, cursor)


def invite_user(account_number, by_user_id, body, actor, company_name):
    return call("identity", "invite_user", account_number, by_user_id, body, actor=actor,
                company_name=company_name)


def revoke_invitation(account_number, by_user_id, invitation_id, actor):
    return call("identity", "revoke_invitation", account_number, by_user_id, invitation_id,
                actor=actor)


def change_user_role(account_number, by_user_id, user_id, role, actor):
    """The user with their new role."""
    return call("identity", "change_user_role", account_number, by_user_id, user_id, role,
                actor=actor)


def remove_user(account_number, by_user_id, user_id, actor):
    return call("identity", "remove_user", account_number, by_user_id, user_id, actor=actor)


def get_invitation(token):
    return call("identity", "get_invitation", token)


def accept_invitation(body, actor):
    """The online ID created (``{username, ...}``)."""
    return call("identity", "accept_invitation", body, actor=actor)


# -- many accounts under one online ID ---------------------------------------------------------


def link_account(user_id, body, actor):
    """``{account_number, role}``: ``body`` ``{account_number, security_key}`` linked to the
    user as its admin; Refused (one message) when the key is wrong or it has an online ID."""
    return call("identity", "link_account", user_id, body, actor=actor)


# -- passkeys (``rp``: gateway.relying_party.of_request()) -------------------------------------


def start_passkey_registration(user_id, current_password, rp):
    """``{challenge_id, options}`` for navigator.credentials.create()."""
    return call("identity", "start_passkey_registration", user_id, current_password, rp)


def add_passkey(user_id, challenge_id, credential, name, rp, actor):
    """The passkey kept (``{id, name, created_at, last_used_at, transports}``)."""
    return call("identity", "add_passkey", user_id, challenge_id, credential, name, rp,
                actor=actor)


def list_passkeys(user_id):
    return call("identity", "list_passkeys", user_id)


def rename_passkey(user_id, passkey_id, name, actor):
    return call("identity", "rename_passkey", user_id, passkey_id, name, actor=actor)


def remove_passkey(user_id, passkey_id, current_password, actor):
    return call("identity", "remove_passkey", user_id, passkey_id, current_password,
                actor=actor)


def start_passkey_sign_in(rp, purpose, actor):
    """``{challenge_id, options}`` for navigator.credentials.get(); Throttled (429) past
    the client address's allowance."""
    return call("identity", "start_passkey_sign_in", rp, purpose, actor)


def sign_in_with_passkey(challenge_id, credential, rp, actor):
    """The session opened, as sign_in's."""
    return call("identity", "sign_in_with_passkey", challenge_id, credential, rp, actor=actor)
