"""The signed-in user."""
from flask import request

from gateway import auth
from gateway.api import ApiBlueprint
from gateway.rpc import call
from services.contracts import identity as schemas

bp = ApiBlueprint("me", __name__, url_prefix="/api/v1", description="The signed-in user.")

BEARER = [{"bearer": []}]


def with_accounts(user):
    """The user plus their accounts, roles (identity) and company names (billing)."""
    accounts = call("identity", "list_user_accounts", user["user_id"])
    names = call("billing", "get_company_names",
                 [a["account_number"] for a in accounts]) if accounts else {}
    for account in accounts:
        account["company_name"] = names.get(account["account_number"])
    return dict(user, accounts=accounts)


@bp.get("/me")
@bp.response(200, schemas.Me)
@bp.alt_response(401, description="Not signed in")
@bp.doc(security=BEARER)
@auth.signed_in
def get_me():
    """The signed-in user, with the accounts they belong to and their role on each."""
    return with_accounts(call("identity", "get_user", auth.current_user()["user_id"]))


@bp.patch("/me")
@bp.arguments(schemas.ProfileChange)
@bp.response(200, schemas.User)
@bp.alt_response(400, description="Invalid fields")
@bp.alt_response(401, description="Not signed in")
@bp.doc(security=BEARER)
@auth.signed_in
def patch_me(_validated):
    """Change your email or names."""
    return call("identity", "update_user", auth.current_user()["user_id"], request.get_json())


@bp.put("/me/password")
@bp.arguments(schemas.ChangePasswordRequest)
@bp.response(204)
@bp.alt_response(400, description="Current password wrong, or a new one against the rules")
@bp.alt_response(401, description="Not signed in")
@bp.doc(security=BEARER)
@auth.signed_in
def change_password(data):
    """Change your password (the current one required); your other sessions end."""
    user = auth.current_user()
    call("identity", "change_password", user["user_id"], user["session_id"],
         data["current_password"], data["new_password"])
    return ""
