"""The one role table answers every place that asks who may do what."""
from services.contracts import roles
from services.contracts.identity import ROLE
from services.notifications import reminders
from services.notifications.service_payment_notices import PAYING_ROLES


def test_the_roles_that_may_pay_are_the_ones_notified_of_payments_and_reminders():
    assert roles.roles_allowing("pay") == ("admin", "billing")
    assert PAYING_ROLES == reminders.PAYERS == roles.roles_allowing("pay")


def test_the_role_field_accepts_exactly_the_roles_of_the_table():
    assert set(ROLE.choices) == set(roles.ROLES) == set(roles.ACTIONS)


def test_the_least_role_allowing_an_action_has_the_fewest_rights():
    assert [roles.least_role_allowing(a) for a in ("view", "pay", "manage", "fly")] == [
        "viewer", "billing", "admin", None]
