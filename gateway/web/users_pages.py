"""Portal pages: /users (the account's users: invite, change role, remove; pending
invitations to revoke and the audit trail for admins) and /invitations/accept (an invited person creates their online ID). Forms post
to the same identity RPCs as the API; role checks are gateway.auth.access's (services.contracts.roles)."""
from flask import flash, g, redirect, render_template, request, url_for

from gateway.actors import actor, origin
from gateway.auth import access
from gateway.clients import accounts, identity
from gateway.web import bp, forms
from gateway.web.security_pages import flash_refusal
from services.contracts import roles
from services.contracts.errors import DomainError, InvalidInput, Refused

ROLE_NAMES = {"admin": "Admin (everything)", "billing": "Billing (view and pay)",
              "viewer": "Viewer (view only)"}
ACCEPT_LABELS = {"username": "Username", "password": "Password", "first_name": "First name",
                 "last_name": "Last name", "token": "Invitation link"}


def _back():
    return redirect(url_for("web.users"))


@bp.get("/users")
@access.web_account_scope("view")
def users():
    number = access.current_account()
    may_manage = roles.allows(g.get("account_role"), "manage")
    return render_template(
        "users.html", users=identity.list_account_users(number),
        may_manage=may_manage, role_names=ROLE_NAMES, me=access.current_user()["user_id"],
        invitations=identity.list_invitations(number, 100)["items"] if may_manage else None,
        audit=identity.list_account_audit(number, 50)["items"] if may_manage else None)


@bp.post("/users/invite")
@access.web_account_scope("manage")
def users_invite():
    body = {"email": request.form.get("email", "").strip(),
            "role": request.form.get("role", ""),
            "current_password": request.form.get("current_password", "")}
    forms.submit(lambda: accounts.invite(access.current_account(),
                                         access.current_user()["user_id"], body, actor()),
                 lambda invited: f"Invitation emailed to {invited['email']} as "
                                 f"{invited['role']}. The link works once, for 7 days.",
                 flash_refusal)
    return _back()


@bp.post("/users/invitations/<invitation_id>/revoke")
@access.web_account_scope("manage")
def users_revoke_invitation(invitation_id):
    forms.submit(lambda: identity.revoke_invitation(access.current_account(),
                                                    access.current_user()["user_id"],
                                                    invitation_id, actor()),
                 "The invitation was revoked: its link no longer works.", flash_refusal)
    return _back()


@bp.post("/users/<user_id>/role")
@access.web_account_scope("manage")
def users_role(user_id):
    forms.submit(lambda: identity.change_user_role(access.current_account(),
                                                   access.current_user()["user_id"], user_id,
                                                   request.form.get("role", ""), actor()),
                 lambda changed: f"{changed['username']} is now {changed['role']}.",
                 flash_refusal)
    return _back()


@bp.post("/users/<user_id>/remove")
@access.web_account_scope("manage")
def users_remove(user_id):
    forms.submit(lambda: identity.remove_user(access.current_account(),
                                              access.current_user()["user_id"], user_id,
                                              actor()),
                 "The user was removed and signed out. They no longer have access.",
                 flash_refusal)
    return _back()


def _accept_page(token, invitation, form=None, errors_=None):
    return render_template("accept_invitation.html", token=token, invitation=invitation,
                           form=form or {}, errors=errors_ or {})


@bp.get("/invitations/accept")
def accept_invitation_page():
    token = request.args.get("token", "")
    try:
        invitation = identity.get_invitation(token) if token else None
    except Refused as exc:
        flash(exc.detail, "error")
        invitation = None
    if invitation is None and not token:
        flash("This page needs the link from your invitation email.", "error")
    return _accept_page(token, invitation)


@bp.post("/invitations/accept")
def accept_invitation_submit():
    form = forms.posted(secrets=("password",))
    token = form.get("token", "")
    try:
        created = identity.accept_invitation(form, origin())
    except InvalidInput as exc:
        errors_ = forms.field_messages(exc.errors)
        if "token" in errors_:
            flash("This invitation link is not valid. Ask the account's admin for a new one.",
                  "error")
        return _accept_page(token, None, form, errors_)
    except DomainError as exc:  # used or expired link, username taken: said on the page
        flash(exc.detail, "error")
        return _accept_page(token, None, form)
    flash(f"Your online ID {created['username']} is ready. Sign in to start.", "success")
    return redirect(url_for("web.sign_in"))
