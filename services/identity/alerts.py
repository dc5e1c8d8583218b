"""Security alert mails (always sent: not a preference) and sign-in alerts, sent by a direct
RPC to notifications after the change committed."""

WHAT = {
    "security_code": "Your security code was set or changed.",
    "challenge": "Your challenge question was set or changed.",
    "preferences": "Your security preferences were changed.",
    "totp_enabled": "2-step sign-in was turned on.",
    "totp_disabled": "2-step sign-in was turned off.",
    "recovery_code_used": "A 2-step recovery code was used to sign in.",
    "user_invited": "Someone was invited to your account.",
    "role_changed": "A user's role on your account was changed.",
    "user_removed": "A user was removed from your account.",
    "user_joined": "A new user joined your account.",
}


def when(at):
    return at.strftime("%B %d, %Y at %H:%M UTC")


def security_alert(notifications_rpc, to, user_id, first_name, what, at, where=None,
                   detail=""):
    notifications_rpc.send_email.call_async(
        to=to, category="security", template="security_alert",
        context={"first_name": first_name, "what": WHAT.get(what, what), "detail": detail,
                 "when": when(at), "ip": (where or {}).get("ip") or "unknown"},
        user_id=user_id)


def sign_in_alert(notifications_rpc, to, user_id, first_name, at, ip, user_agent):
    notifications_rpc.send_email.call_async(
        to=to, category="security", template="sign_in_alert",
        context={"first_name": first_name, "when": when(at), "ip": ip or "unknown",
                 "user_agent": user_agent or "unknown"},
        user_id=user_id)
