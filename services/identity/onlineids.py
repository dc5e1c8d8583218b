"""Online IDs: sign-up with the invoice's account number and security key, users and roles."""
import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services import contracts
from services.contracts import identity as contract
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.contracts.identity import ProfileChange, SignupRequest
from services.identity import passwords
from services.identity.models import AccountClaim, Membership, User
from services.runtime import clock

WRONG_KEY = ("We could not match that account number and security key. Check both against "
             "your invoice.")
ALREADY_CLAIMED = ("This account already has an online ID. Ask its administrator to invite "
                   "you.")
TAKEN = "That username is taken. Choose another."


def load_signup(payload):
    """Validates a sign-up (schema, then the password rules); raises InvalidInput."""
    data = contracts.load(SignupRequest, payload)
    refused = passwords.problems(data["password"], data["username"])
    if refused:
        raise InvalidInput({"password": refused})
    return data


def check_key(key_matches):
    if not key_matches:
        raise Refused(WRONG_KEY)


def username_taken(session, username):
    return session.execute(select(User.id).where(
        User.username_key == username.lower())).first() is not None


def create_first_user(session, data, password_hash):
    """Creates the account's first online ID as its admin; returns the User.

    Raises Conflict when the username is taken or the account already has an online ID.
    """
    if username_taken(session, data["username"]):
        raise Conflict(TAKEN)
    if session.get(AccountClaim, data["account_number"]) is not None:
        raise Conflict(ALREADY_CLAIMED)
    at = clock.now()
    user = User(id=str(uuid.uuid4()), username=data["username"],
                username_key=data["username"].lower(), email=data["email"],
                email_key=data["email"].lower(), first_name=data["first_name"],
                last_name=data["last_name"], password_hash=password_hash, created_at=at,
                password_changed_at=at)
    session.add(user)
    session.flush()
    session.add(AccountClaim(account_number=data["account_number"], user_id=user.id,
                             created_at=at))
    session.add(Membership(user_id=user.id, account_number=data["account_number"],
                           role="admin", created_at=at))
    try:
        session.flush()
    except IntegrityError:  # a concurrent sign-up won the username or the account
        raise Conflict(TAKEN if username_taken(session, data["username"]) else ALREADY_CLAIMED) \
            from None
    return user


def registered_event(user, account_number, role):
    return {"user_id": user.id, "username": user.username, "email": user.email,
            "account_number": account_number, "role": role}


def public(user):
    return contracts.dump(contract.User, user, user_id=user.id)


def get_user(session, user_id):
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def find_by_username(session, username):
    return session.execute(select(User).where(
        User.username_key == str(username).lower())).scalar_one_or_none()


def find_by_email(session, email):
    return session.execute(select(User).where(
        User.email_key == str(email).lower()).order_by(User.created_at)).scalars().all()


def load_profile_change(payload):
    """A partial ``{email?, first_name?, last_name?, current_password?}``; InvalidInput."""
    return contracts.load(ProfileChange, payload, partial=True)


def rename(user, data):
    """Names change at once; the email never here (email_change: password and a link)."""
    for key in ("first_name", "last_name"):
        if key in data:
            setattr(user, key, data[key].strip())
    return user


def account_role(session, user_id, account_number):
    membership = session.get(Membership, (str(user_id), str(account_number)))
    return membership.role if membership else None


def user_accounts(session, user_id):
    rows = session.execute(select(Membership).where(Membership.user_id == user_id)
                           .order_by(Membership.created_at, Membership.account_number)).scalars()
    return [{"account_number": m.account_number, "role": m.role} for m in rows]


def account_users(session, account_number):
    rows = session.execute(select(User, Membership.role).join(
        Membership, Membership.user_id == User.id).where(
        Membership.account_number == account_number).order_by(User.username_key))
    return [{"user_id": u.id, "username": u.username, "email": u.email, "role": role}
            for u, role in rows]
