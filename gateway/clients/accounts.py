"""What the gateway shows of an account that needs more than one service: the accounts a
user may see (identity) with their company names (billing), an account's summary (billing)
with its autopay (payments), and the two changes that first check the caller's password
with identity; and the staff desk's overview of one account (billing, payments, identity)."""
from gateway.clients import billing, identity, payments
from gateway.rpc import ServiceUnavailable
from services.contracts import validators


def accounts_of(user_id):
    """``[{account_number, role, company_name}]``, the accounts the user may see."""
    accounts = identity.list_user_accounts(user_id)
    names = billing.get_company_names([a["account_number"] for a in accounts]) \
        if accounts else {}
    for account in accounts:
        account["company_name"] = names.get(account["account_number"])
    return accounts


AMOUNT_FIELDS = ("company_name", "amount_due_cents", "currency", "due_date")


def accounts_with_amounts(user_id):
    """``[{account_number, role, company_name, amount_due_cents, currency, due_date}]``: the
    accounts the user may see with what each owes and by when, from ONE billing RPC for the
    whole list (never one per account)."""
    accounts = identity.list_user_accounts(user_id)
    owed = billing.get_account_summaries([a["account_number"] for a in accounts]) \
        if accounts else {}
    for account in accounts:
        known = owed.get(account["account_number"], {})
        account.update({key: known.get(key) for key in AMOUNT_FIELDS})
    return accounts


def with_accounts(user):
    """The user plus their accounts, roles and company names."""
    return dict(user, accounts=accounts_of(user["user_id"]))


def company_name(account_number):
    return billing.get_company_names([account_number]).get(account_number)


def account_summary(account_number):
    """Billing's summary plus autopay. While payments does not answer, the summary still
    comes, with ``autopay`` None and ``autopay_unavailable`` true: what is owed matters more
    than autopay's state."""
    summary = billing.get_account_summary(account_number)
    try:
        summary["autopay"] = payments.get_autopay(account_number)
    except ServiceUnavailable:
        summary["autopay"], summary["autopay_unavailable"] = None, True
    return summary


RECENT_PAYMENTS = 5


def staff_overview(account_number):
    """The staff desk's overview: billing's (profile, status, services, balance, last
    statements), the recent payments (payments) and the users and their roles (identity).
    Billing first, so an unknown account is NotFound before anyone else is asked; any of
    the three not answering is ServiceUnavailable (503): staff act on the overview, and a
    part missing silently would read as "no payments" or "no users". ``open_disputes``
    comes with billing's part."""
    found = billing.get_account_overview(account_number)
    found["recent_payments"] = payments.list_payments(account_number, RECENT_PAYMENTS)["items"]
    found["users"] = identity.list_account_users(account_number)
    return found


def invite(account_number, user_id, body, actor):
    """Invites ``body`` ``{email, role, current_password}`` as admin ``user_id``. The admin's
    current password comes first (identity checks and throttles it): a stolen session alone
    must not let its holder bring in an online ID of their own, which would outlive the
    session and could remove the account's real admins."""
    body = dict(body) if isinstance(body, dict) else {}
    identity.check_current_password(user_id, body.pop("current_password", None))
    return identity.invite_user(account_number, user_id, body, actor,
                                company_name(account_number))


def set_delivery(account_number, user_id, body, actor):
    """A new paperless address needs the caller's current password (identity checks and
    throttles it), then billing mails it a link; nothing changes until that is followed."""
    body = dict(body or {}) if isinstance(body, dict) else body
    password = body.pop("current_password", None) if isinstance(body, dict) else None
    if isinstance(body, dict) and body.get("email"):
        current = billing.get_invoice_delivery(account_number)["email"]
        if _address(body["email"]) != current:
            identity.check_current_password(user_id, password)
    return billing.set_invoice_delivery(account_number, body, actor)


def _address(email):
    try:
        return validators.email(email)
    except Exception:  # billing refuses it with the field named
        return email
