"""Portal page /security: name and email, password, security code, challenge question,
security preferences, 2-step sign-in (with a QR code for the authenticator app), passkeys
(gateway/web/passkey_pages.py) and where
you are signed in (each session, with "Sign out" for any other and "Sign out everywhere
else"). Each form
posts to the same identity RPCs as the API; refusals come back as messages in the customer's
words. What weakens security (a new email, 2-step set up, the code no longer required for
payments) asks for the current password, like the forms that always did. /confirm-email is
the page the link mailed to a new address opens.

Each section opens under its own header (a <details>, so without JavaScript too); after a
form's round trip the section it came from is open again, beside its message."""
import segno
from flask import flash, redirect, render_template, request, url_for

from gateway.actors import actor, origin
from gateway.auth import access, sessions
from gateway.clients import identity
from gateway.web import bp, forms
from services.contracts.errors import DomainError

LABELS = {"current_password": "Current password", "new_password": "New password",
          "security_code": "Security code", "question_id": "Challenge question",
          "answer": "Answer", "code": "Code from your app",
          "require_security_code_for_payments": "Require my security code for payments",
          "sign_in_alerts": "Sign-in alerts", "email": "Email", "first_name": "First name",
          "last_name": "Last name", "name": "Passkey name"}
SECTIONS = {"profile", "two-step", "passkeys", "password", "sessions", "code", "challenge",
            "preferences"}
SESSIONS_SHOWN = 100  # the most the list gives at once; more open sessions than this is rare
DONE = {
    "password": "Your password is changed. Your other sessions were signed out.",
    "code": "Your security code is set.",
    "challenge": "Your challenge question is set. We will ask it when you reset your password.",
    "preferences": "Your security preferences are saved.",
    "totp_on": "2-step sign-in is on. From now on, sign in with a code from your app.",
    "totp_off": "2-step sign-in is off.",
    "name": "Your name is saved.",
    "session": "That session is signed out.",
}


def others_done(count):
    if not count:
        return "You were not signed in anywhere else."
    return (f"Signed out of {count} other session{'s' if count != 1 else ''}. We emailed you "
            "a security alert.")


def flash_refusal(exc):
    """One message per field (labelled as on this page), or the refusal's own words."""
    forms.flash_refusal(exc, LABELS)


def qr_data_uri(uri):
    """The otpauth:// URI as an inline SVG image (a data: URI: no script, no request)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#111", light="#fff")


def _user_id():
    return access.current_user()["user_id"]


def _page(setup=None, status=200, open_section=None):
    user = access.current_user()
    user_id = user["user_id"]
    return render_template(
        "security.html", open=open_section, settings=identity.get_security_settings(user_id),
        me=identity.get_user(user_id),
        sessions=identity.list_sessions(user_id, user["session_id"], SESSIONS_SHOWN)["items"],
        passkeys=identity.list_passkeys(user_id)["items"],
        questions=identity.list_challenge_questions()["items"], setup=setup,
        qr=qr_data_uri(setup["otpauth_uri"]) if setup else None), status, \
        {"Cache-Control": "no-store"}  # the set-up secret and recovery codes: not cached


def _back(section):
    """Back to the page with ``section`` open (a query, not a fragment: the message sits at
    the top of the page, where a jump to the section would scroll it out of sight)."""
    return redirect(url_for("web.security", open=section))


def _act(section, done, change, *args):
    """``change(*args)`` (an identity client function); its refusal or ``done`` flashed."""
    forms.submit(lambda: change(*args), DONE[done], flash_refusal)
    return _back(section)


@bp.get("/security")
@access.signed_in
def security():
    wanted = request.args.get("open")
    return _page(open_section=wanted if wanted in SECTIONS else None)


@bp.post("/security/profile")
@access.signed_in
def security_profile():
    """Names change at once; a new email waits for the link mailed to it."""
    user = access.current_user()
    changes = {key: request.form.get(key, "").strip()
               for key in ("email", "first_name", "last_name") if request.form.get(key, "").strip()}
    try:
        found = identity.update_user(user["user_id"], changes, user["session_id"], actor(),
                                     current_password=request.form.get("current_password", ""))
    except DomainError as exc:
        flash_refusal(exc)
    else:
        flash(f"We emailed {found['pending_email']} a link to confirm it (it works once, for "
              "30 minutes). Until then your email stays as it is." if found.get("pending_email")
              and found["pending_email"] == changes.get("email") else DONE["name"], "success")
    return _back("profile")


@bp.route("/confirm-email", methods=["GET", "POST"])
def confirm_email():
    """The page the link mailed to a new address opens."""
    return forms.confirm_link(
        lambda token: identity.confirm_email_change(token, origin()),
        lambda found: {"title": "Email changed",
                       "message": f"Your email is changed to {found['email']}. Your other "
                                  "sessions were signed out."},
        title="Confirm your new email",
        text="Confirm that this address is to be the email of your BizPortal online ID.",
        button="Confirm my new email")


@bp.post("/security/password")
@access.signed_in
def security_password():
    user = access.current_user()
    return _act("password", "password", identity.change_password, user["user_id"],
                user["session_id"], request.form.get("current_password", ""),
                request.form.get("new_password", ""))


@bp.post("/security/code")
@access.signed_in
def security_code():
    return _act("code", "code", identity.set_security_code, _user_id(),
                request.form.get("current_password", ""),
                request.form.get("security_code", "").strip(), actor())


@bp.post("/security/challenge")
@access.signed_in
def security_challenge():
    return _act("challenge", "challenge", identity.set_challenge, _user_id(),
                request.form.get("current_password", ""), request.form.get("question_id"),
                request.form.get("answer", ""), actor())


@bp.post("/security/preferences")
@access.signed_in
def security_preferences():
    changes = {"sign_in_alerts": request.form.get("sign_in_alerts") == "on",
               "require_security_code_for_payments":
                   request.form.get("require_security_code_for_payments") == "on"}
    return _act("preferences", "preferences", identity.update_security_preferences, _user_id(),
                changes, actor(), request.form.get("current_password") or None)


@bp.post("/security/2fa/start")
@access.signed_in
def security_totp_start():
    try:
        setup = identity.start_totp(_user_id(), request.form.get("current_password", ""))
    except DomainError as exc:
        flash_refusal(exc)
        return _back("two-step")
    return _page(setup, open_section="two-step")  # shown once, never stored in the browser's cookie


@bp.post("/security/2fa/confirm")
@access.signed_in
def security_totp_confirm():
    return _act("two-step", "totp_on", identity.confirm_totp, _user_id(),
                request.form.get("code", "").strip(), actor(),
                request.form.get("current_password", ""))


@bp.post("/security/2fa/disable")
@access.signed_in
def security_totp_disable():
    return _act("two-step", "totp_off", identity.disable_totp, _user_id(),
                request.form.get("current_password", ""), actor())


@bp.post("/security/sessions/<session_id>/end")
@access.signed_in
def security_session_end(session_id):
    """Ends another of the user's sessions (none of theirs: the refusal's words)."""
    return _act("sessions", "session", sessions.end_user_session, _user_id(), session_id,
                actor())


@bp.post("/security/sessions/end-others")
@access.signed_in
def security_sessions_end_others():
    user = access.current_user()
    forms.submit(lambda: sessions.end_other_sessions(user["user_id"], user["session_id"],
                                                     actor()), others_done, flash_refusal)
    return _back("sessions")
