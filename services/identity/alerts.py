"""Security alert mails (always sent: not a preference) and sign-in alerts.

They carry no secret, so they travel as ``identity.security_alert_raised`` events written in
the change's own transaction: an alert is never lost between the change and the mail.
notifications sends each once."""

WHAT = {
    "security_code": "Your security code was set or changed.",
    "challenge": "Your challenge question was set or changed.",
    "preferences": "Your security preferences were changed.",
    "totp_enabled": "2-step sign-in was turned on.",
    "totp_disabled": "2-step sign-in was turned off.",
    "passkey_added": "A passkey was added to your online ID: it can sign in without a password.",
    "passkey_renamed": "One of your passkeys was renamed.",
    "passkey_removed": "A passkey was removed from your online ID.",
    "recovery_code_used": "A 2-step recovery code was used to sign in.",
    "user_invited": "Someone was invited to your account.",
    "role_changed": "A user's role on your account was changed.",
    "user_removed": "A user was removed from your account.",
    "user_joined": "A new user joined your account.",
    "account_linked": "Another account was added to your online ID.",
    "email_change_requested": "Someone asked to change the email of your online ID.",
    "email_changed": "The email of your online ID was changed.",
    "other_sessions_ended": ("Your online ID was signed out everywhere but the browser or "
                             "app that asked. If that was not you, change your password."),
}


def email_change_detail(new_email):
    return (f"New address asked for: {new_email}. Nothing changes unless the link we mailed "
            "there is followed within 30 minutes.")


def security_alert(tx, to, user_id, first_name, what, at, where=None, detail=""):
    tx.emit("security_alert_raised", {
        "user_id": user_id, "email": to, "first_name": first_name, "kind": "security",
        "what": WHAT.get(what, what), "detail": detail or "", "at": at.isoformat(),
        "ip": (where or {}).get("ip") or "unknown", "user_agent": (where or {}).get("user_agent")})


def sign_in_alert(tx, to, user_id, first_name, at, ip, user_agent):
    tx.emit("security_alert_raised", {
        "user_id": user_id, "email": to, "first_name": first_name, "kind": "sign_in",
        "what": "sign_in", "detail": "", "at": at.isoformat(), "ip": ip or "unknown",
        "user_agent": user_agent or "unknown"})
