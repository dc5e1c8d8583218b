"""Security preferences: sign-in alerts and requiring the security code for payments.
Security alerts (password, code, challenge, 2-step, users) are not preferences: always sent."""
from services import contracts
from services.contracts.errors import InvalidInput
from services.contracts.identity import SecurityPreferenceChanges

FIELDS = {"sign_in_alerts": "sign_in_alerts",
          "require_security_code_for_payments": "require_code_for_payments"}
NEEDS_CODE = "Set a security code first: payments would ask for a code you do not have."
NEEDS_PASSWORD = "Enter your current password to make this change."


def of(user):
    return {name: bool(getattr(user, column)) for name, column in FIELDS.items()}


def load(changes):
    """Validates a partial change; returns ``{field: bool}``; InvalidInput otherwise."""
    if not isinstance(changes, dict):  # not "no change": contracts.load takes it as {}
        raise InvalidInput({"_schema": ["Send an object."]})
    return contracts.load(SecurityPreferenceChanges, changes)


def apply(user, changes):
    """Applies ``changes``; returns the names of the fields that changed."""
    if changes.get("require_security_code_for_payments") and not user.security_code_hash:
        raise InvalidInput({"require_security_code_for_payments": [NEEDS_CODE]})
    changed = []
    for name, value in changes.items():
        if bool(getattr(user, FIELDS[name])) != value:
            setattr(user, FIELDS[name], value)
            changed.append(name)
    return changed


def weakens(user, changes):
    """True when ``changes`` stops payments asking for the security code (step-up)."""
    return changes.get("require_security_code_for_payments") is False \
        and bool(user.require_code_for_payments)

