"""The one role table: the roles a user can hold on an account and what each may do.

Identity stores and validates roles from ROLES; the gateway's role checks go through ``allows``
(via gateway.auth.access's decorators); notifications picks who gets a payment notice or a
reminder with ``roles_allowing("pay")``.
"""

# fewest rights first: the order the API document lists the roles allowed an operation
ACTIONS = {
    "viewer": {"view"},
    "billing": {"view", "pay"},
    "admin": {"view", "pay", "manage"},
}
ROLES = ("admin", "billing", "viewer")  # the order pages and error messages name them


def allows(role, action):
    """True when ``role`` (admin|billing|viewer, or None for no role) may do ``action``."""
    return action in ACTIONS.get(role, ())


def roles_allowing(action):
    """The roles that may do ``action``, in ROLES order."""
    return tuple(role for role in ROLES if allows(role, action))


def least_role_allowing(action):
    """The role with the fewest rights that may still do ``action`` (for the API document)."""
    allowed = roles_allowing(action)
    return min(allowed, key=lambda role: len(ACTIONS[role])) if allowed else None
