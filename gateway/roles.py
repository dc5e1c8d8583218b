"""The one role table: what each role on an account may do.

Every role check in the gateway goes through ``allows`` (via gateway.auth.access's decorators).
"""

ACTIONS = {
    "viewer": {"view"},
    "billing": {"view", "pay"},
    "admin": {"view", "pay", "manage"},
}


def allows(role, action):
    """True when ``role`` (admin|billing|viewer, or None for no role) may do ``action``."""
    return action in ACTIONS.get(role, ())


def least_role_allowing(action):
    """The role with the fewest rights that may still do ``action`` (for the API document)."""
    allowed = [role for role in ACTIONS if allows(role, action)]
    return min(allowed, key=lambda role: len(ACTIONS[role])) if allowed else None
