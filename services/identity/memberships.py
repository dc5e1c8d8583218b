"""Users of an account and their roles: changing a role, removing a user, and the rule that
an account always keeps an admin."""
from sqlalchemy import select

from services.contracts.errors import Conflict, InvalidInput, NotFound
from services.contracts.roles import ROLES
from services.identity.models import Membership

LAST_ADMIN = ("This is the account's last admin. Make another user an admin first: an "
              "account always keeps one.")
NOT_A_USER = "No such user on this account."


def check_role(role, field="role"):
    if role not in ROLES:
        raise InvalidInput({field: ["Choose admin, billing or viewer."]})
    return role


def _membership(session, account_number, user_id):
    row = session.get(Membership, (str(user_id), str(account_number)))
    if row is None:
        raise NotFound(NOT_A_USER)
    return row


def _other_admins(session, account_number, user_id):
    # locked (PostgreSQL): two admins demoting each other at once cannot both succeed
    rows = session.execute(select(Membership).where(
        Membership.account_number == account_number, Membership.role == "admin",
    ).with_for_update()).scalars().all()
    return [row for row in rows if row.user_id != user_id]


def change_role(session, account_number, user_id, role):
    """Sets the user's role; returns the previous one. NotFound, Conflict (last admin)."""
    check_role(role)
    row = _membership(session, account_number, user_id)
    previous = row.role
    if previous == "admin" and role != "admin" and not _other_admins(
            session, account_number, user_id):
        raise Conflict(LAST_ADMIN)
    row.role = role
    return previous


def remove(session, account_number, user_id):
    """Removes the user from the account; returns their role. NotFound, Conflict."""
    row = _membership(session, account_number, user_id)
    if row.role == "admin" and not _other_admins(session, account_number, user_id):
        raise Conflict(LAST_ADMIN)
    session.delete(row)
    return row.role


def admins(session, account_number):
    return [row.user_id for row in session.execute(select(Membership).where(
        Membership.account_number == account_number, Membership.role == "admin")).scalars()]


def remaining_accounts(session, user_id):
    return session.execute(select(Membership.account_number).where(
        Membership.user_id == user_id)).scalars().all()
