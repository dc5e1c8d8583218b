"""payments started in a nameko container for the service tests: its accounts and dates, fakes for
identity and billing, the fixture that starts it, and reads of what it stored and emitted."""
import json
from datetime import date, timedelta

import pytest
from nameko.testing.services import replace_dependencies

from services.payments.service import PaymentsService
from tests.support.containers import hook as call, rows as query  # noqa: F401 (names payments tests read)

ACCOUNT = "4929000000000006"
OTHER = "4929000000000014"
SOON = (date.today() + timedelta(days=10)).isoformat()
AFTER = (date.today() + timedelta(days=11)).isoformat()


class FakeIdentity:
    def __init__(self, require=False, code="2468"):
        self.require, self.code = require, code

    def check_payment_security(self, user_id, code=None):
        return {"code_required": self.require,
                "code_valid": code == self.code if self.require and code else None}

    def get_account_role(self, user_id, account_number):
        return "billing"


class FakeBilling:
    """Answers what each account still owes (``dues``); a large default; an Exception value
    is raised (billing away). The payment allowance is that plus ``ahead``."""
    ahead = 10_000_000

    def __init__(self, dues=None):
        self.dues = dues or {}

    def get_payment_allowance(self, account_number, payment_ids=()):
        """``dues`` already credit every payment it is asked about."""
        due = self.get_account_summary(account_number)["amount_due_cents"]
        return {"account_number": account_number, "balance_cents": due,
                "amount_due_cents": due, "ahead_cents": self.ahead,
                "max_payment_cents": due + self.ahead, "currency": "USD",
                "applied_payment_ids": list(payment_ids or ())}

    def get_account_summary(self, account_number):
        due = self.dues.get(account_number, 10_000_000)
        if isinstance(due, Exception):
            raise due
        return {"account_number": account_number, "amount_due_cents": due}


@pytest.fixture
def start_payments(vhost, database, container_factory, tmp_path):
    """``start_payments(identity=None, url=None, billing=None, **config)`` -> a started
    payments container (``config``: more of its settings); pass the same ``url`` twice for
    two replicas on one database."""
    def start(identity=None, url=None, billing=None, **extra):
        config = {"AMQP_URI": vhost[1], "SERIALIZER": "json",
                  "DATABASE_URL": url or database("payments"), "DATA_DIR": str(tmp_path),
                  "PUBLIC_URL": "http://portal.test", "SMTP_URL": None, "RPC_TIMEOUT": 5,
                  **extra}
        container = container_factory(PaymentsService, config)
        replace_dependencies(container, identity_rpc=identity or FakeIdentity(),
                             billing_rpc=billing or FakeBilling())
        container.start()
        return container
    return start


def events(container, event_type):
    return [json.loads(row[0])["data"] for row in query(
        container, f"SELECT body FROM outbox WHERE event_type = 'payments.{event_type}' "
                   "ORDER BY created_at")]
