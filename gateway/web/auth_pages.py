"""Portal pages: sign in, sign up, forgotten ID and password, reset, sign out.

They reach identity through the same RPCs as the JSON API (same rules, same throttling);
forms carry CSRF tokens (Flask-WTF, on for the whole portal). A refused form is shown again
with a message per field or one message for the whole.
"""
import json

from flask import flash, redirect, render_template, request, url_for

from gateway import redirects, relying_party
from gateway.actors import origin
from gateway.auth import access, portal_session
from gateway.clients import identity
from gateway.web import bp, forms
from services.contracts import errors
from services.contracts import identity as schemas
from services.contracts.loading import load

AFTER_SIGN_IN = "/dashboard"
SIGN_IN_FIELDS = {"totp_code": "Enter the 6-digit code from your authenticator app, or a "
                               "recovery code."}


@bp.app_context_processor
def signed_in_user():
    """``signed_in_user`` for base.html's navigation (None when signed out or unknown)."""
    try:
        return {"signed_in_user": access.current_user()}
    except Exception:  # an error page while identity is away still renders
        return {"signed_in_user": None}


def _safe_next(target):
    """Only a path on this site, whatever it holds (gateway/redirects.py has the rule)."""
    return redirects.local_path(target, AFTER_SIGN_IN)


def _form():
    return forms.posted(secrets=("password", "new_password"))


def _page(template, form=None, errors_=None, **extra):
    return render_template(template, form=form or {}, errors=errors_ or {}, **extra)


@bp.route("/", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        if access.current_user():
            return redirect(AFTER_SIGN_IN)
        return _page("sign_in.html", next=request.args.get("next"))
    form = _form()
    next_ = form.get("next")
    passkey = _passkey(form.pop("passkey", ""))  # passkeys.js: instead of the 2-step code
    data, field_errors = forms.load(schemas.LoginRequest, form)
    totp = "totp_code" in form
    if field_errors:
        return _page("sign_in.html", form, {k: [SIGN_IN_FIELDS.get(k, "Enter your " + k + ".")]
                                            for k in field_errors}, next=next_, totp=totp)
    try:
        signed_in = identity.sign_in(data["username"], data["password"], origin(),
                                     data.get("totp_code"), passkey,
                                     relying_party.of_request() if passkey else None)
    except errors.Throttled as exc:
        flash(forms.wait_text(exc), "error")
        return _page("sign_in.html", form, next=next_)
    except errors.Unauthenticated as exc:
        flash(exc.detail, "error")
        return _page("sign_in.html", form, next=next_,
                     totp=bool(exc.extra.get("totp_required")))
    except errors.InvalidInput as exc:  # a passkey from a host passkeys do not work on
        flash(exc.detail, "error")
        return _page("sign_in.html", form, next=next_)
    portal_session.start_web_session(signed_in)
    return redirect(_safe_next(next_))


def _passkey(posted):
    """The 2-step form's passkey answer (JSON ``{challenge_id, credential}``), or None."""
    try:
        answer = json.loads(posted) if posted else None
    except ValueError:
        return None
    try:
        return load(schemas.PasskeyAssertion, answer)
    except errors.InvalidInput:
        return None


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if request.method == "GET":
        return _page("signup.html")
    form = _form()
    data, field_errors = forms.load(schemas.SignupRequest, form)
    if field_errors:
        return _page("signup.html", form, field_errors)
    try:
        created = identity.signup(dict(form, email=data["email"]), origin())
    except errors.InvalidInput as exc:
        return _page("signup.html", form, exc.errors)
    except errors.Throttled as exc:
        flash(forms.wait_text(exc), "error")
        return _page("signup.html", form)
    except (errors.Refused, errors.Conflict) as exc:
        flash(exc.detail, "error")
        return _page("signup.html", form)
    flash(f"Your online ID {created['username']} is ready. Sign in to start.", "success")
    return redirect(url_for("web.sign_in"))


def _recovery(template, schema_cls, ask, done):
    """A forgotten ID or password: ``ask(data)`` mails what is known, and the page says the
    same (``done``) whether or not anything was."""
    if request.method == "GET":
        return _page(template)
    form = _form()
    data, field_errors = forms.load(schema_cls, form)
    if field_errors:
        return _page(template, form, field_errors)
    try:
        ask(data)
    except errors.Throttled as exc:
        flash(forms.wait_text(exc), "error")
        return _page(template, form)
    flash(done, "success")
    return redirect(url_for("web.sign_in"))


@bp.route("/forgot-id", methods=["GET", "POST"])
def forgot_id():
    return _recovery(
        "forgot_id.html", schemas.ForgotUsernameRequest,
        lambda data: identity.request_username_reminder(data["email"], origin()),
        "If that address has online IDs, we have emailed them to it.")


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    return _recovery(
        "forgot_password.html", schemas.ForgotPasswordRequest,
        lambda data: identity.request_password_reset(data["username"], origin()),
        "If that username exists, we have emailed a reset link to its email address. "
        "It works once, for 30 minutes.")


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    if request.method == "GET":
        return _page("reset_password.html", token=request.args.get("token", ""))
    form = _form()
    token = form.get("token", "")
    data, field_errors = forms.load(schemas.ResetPasswordRequest, form)
    if field_errors:
        if "token" in field_errors:
            flash("This reset link is not valid. Ask for a new one.", "error")
        return _page("reset_password.html", form, field_errors, token=token,
                     challenge="challenge_answer" in form)
    try:
        identity.reset_password(data["token"], data["new_password"], data.get("challenge_answer"))
    except errors.InvalidInput as exc:
        return _page("reset_password.html", form, exc.errors, token=token,
                     challenge="challenge_answer" in form)
    except errors.Throttled as exc:
        flash(forms.wait_text(exc), "error")
        return _page("reset_password.html", form, token=token, challenge=True)
    except errors.Refused as exc:
        challenge = bool(exc.extra.get("challenge_required"))
        if challenge and "challenge_answer" not in form:
            flash("Answer your challenge question to reset your password.", "error")
        else:
            flash(exc.detail, "error")
        return _page("reset_password.html", form, token=token, challenge=challenge)
    flash("Your password is changed. Sign in with your new password.", "success")
    return redirect(url_for("web.sign_in"))


@bp.post("/sign-out")
def sign_out():
    portal_session.end_web_session(access.current_user())
    flash("You are signed out.", "success")
    return redirect(url_for("web.sign_in"))
