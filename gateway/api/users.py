"""Users of an account, invitations and roles, and the account's audit trail."""
from flask import request
from marshmallow import fields

from gateway.actors import actor, origin
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import accounts, identity
from services.contracts import identity as schemas
from services.contracts import paging

bp = ApiBlueprint("users", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "manage"),
                  description="Users of an account, invitations and roles.")


class InviteWithPassword(schemas.InviteRequest):
    current_password = fields.String(validate=schemas.PASSWORD, load_only=True, metadata={
        "description": "required: yours, as an invitation lets someone new into the account"})


@bp.get("/accounts/<account_number>/users")
@bp.response(200, schemas.AccountUsers)
@bp.alt_response(401, description="Not signed in")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="listAccountUsers")
@access.account_scope("view")
def list_users(account_number):
    """The account's users

    The users of the account and their roles."""
    return {"items": identity.list_account_users(account_number)}


@bp.post("/accounts/<account_number>/users")
@bp.arguments(InviteWithPassword)
@bp.response(201, schemas.Invited)
@bp.alt_response(400, description="Invalid email or role; `current_password` missing or "
                                  "wrong")
@bp.alt_response(401, description="Not signed in")
@bp.alt_response(403, description="Only an admin of the account may invite")
@bp.alt_response(404, description="No such account available to you")
@bp.alt_response(429, description="Too many invitations to this address, from this account or from your address, or too many wrong passwords; see Retry-After")
@bp.doc(operationId="inviteUser")
def invite_user(_validated, account_number):
    """Invite a user

    Invite someone by email with a role (admin, billing, viewer): a single-use link,
    valid 7 days, is mailed to them. Needs your `current_password`."""
    return accounts.invite(account_number, access.current_user()["user_id"], request.get_json(),
                           actor())


@bp.get("/accounts/<account_number>/invitations")
@bp.arguments(paging.ListQuery, location="query")
@bp.response(200, schemas.PendingInvitations)
@bp.alt_response(403, description="Only an admin of the account may see its invitations")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="listInvitations")
def list_invitations(query, account_number):
    """The account's pending invitations

    The account's pending invitations (who, role, sent by, expires), newest first."""
    return identity.list_invitations(account_number, query["limit"], query["cursor"])


@bp.delete("/accounts/<account_number>/invitations/<invitation_id>")
@bp.response(204)
@bp.alt_response(403, description="Only an admin of the account may revoke invitations")
@bp.alt_response(404, description="No such account, or no such pending invitation on it")
@bp.doc(operationId="revokeInvitation")
def revoke_invitation(account_number, invitation_id):
    """Revoke an invitation

    Revoke a pending invitation: its link stops working at once."""
    identity.revoke_invitation(account_number, access.current_user()["user_id"], invitation_id,
                               actor())
    return ""


@bp.patch("/accounts/<account_number>/users/<user_id>")
@bp.arguments(schemas.RoleChange)
@bp.response(200, schemas.AccountUser)
@bp.alt_response(400, description="Not a role")
@bp.alt_response(403, description="Only an admin of the account may change roles")
@bp.alt_response(404, description="No such account, or no such user on it")
@bp.alt_response(409, description="The account's last admin cannot be demoted")
@bp.doc(operationId="changeUserRole")
def change_role(data, account_number, user_id):
    """Change a user's role

    Change a user's role on the account (admin, billing or viewer); the account's last
    admin cannot be demoted."""
    return identity.change_user_role(account_number, access.current_user()["user_id"], user_id,
                                     data["role"], actor())


@bp.delete("/accounts/<account_number>/users/<user_id>")
@bp.response(204)
@bp.alt_response(403, description="Only an admin of the account may remove users")
@bp.alt_response(404, description="No such account, or no such user on it")
@bp.alt_response(409, description="The account's last admin cannot be removed")
@bp.doc(operationId="removeUser")
def remove_user(account_number, user_id):
    """Remove a user

    Remove a user from the account: they lose access at once, tokens included."""
    identity.remove_user(account_number, access.current_user()["user_id"], user_id, actor())
    return ""


@bp.get("/accounts/<account_number>/audit")
@bp.arguments(paging.ListQuery, location="query")
@bp.response(200, schemas.AuditTrail)
@bp.alt_response(403, description="Only an admin of the account may read its audit trail")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="listAuditEntries")
def audit_trail(query, account_number):
    """The account's audit trail

    Who changed what on the account, when and from where (security settings, users,
    profile, invoice delivery, payment methods, autopay), newest first."""
    return identity.list_account_audit(account_number, query["limit"], query["cursor"])


@bp.post("/invitations/accept")
@bp.arguments(schemas.InvitationAccept)
@bp.response(201, schemas.SignedUp)
@bp.alt_response(400, description="Invalid fields, or a password against the rules")
@bp.alt_response(409, description="The username is not available")
@bp.alt_response(422, description="The invitation is used, revoked, expired or unknown, or whoever sent it is no longer an admin")
@bp.alt_response(429, description="Too many failed tries with this invitation; see Retry-After")
@bp.doc(operationId="acceptInvitation")
@access.public
def accept_invitation(_validated):
    """Accept an invitation

    Accept an invitation: a new online ID with the invited role on that account."""
    return identity.accept_invitation(request.get_json(), origin())
