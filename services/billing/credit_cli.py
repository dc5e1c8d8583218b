"""Staff command line: credit an account as POST /internal/v1/accounts/{n}/credits does.

``python -m services.billing.credit_cli 8000123456789018 1500 "Outage of Oct 3"
[--invoice 261015100000042] [--key KEY]`` (or ``make credit ACCOUNT=… AMOUNT=… REASON=…``)
writes to billing's database (BILLING_DATABASE_URL) through the same rules
(services/billing/credits.py): the ledger entry, its credit note and ``billing.credit_issued``
in one transaction (the running service's relay publishes the event). ``--key`` is the
Idempotency-Key (a new UUID when not given: printed, so a retry can reuse it).
"""
import argparse
import json
import sys
import uuid

from services.billing import credits
from services.billing.models import metadata
from services.contracts.errors import DomainError, InvalidInput
from services.runtime import config
from services.runtime.database import standalone


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("account_number")
    parser.add_argument("amount_cents", type=int, help="1 to 10,000,000")
    parser.add_argument("reason", help="what the customer reads on the activity and statement")
    parser.add_argument("--invoice", help="one of the account's invoice numbers")
    parser.add_argument("--key", help="Idempotency-Key (default: a new UUID)")
    args = parser.parse_args(argv)
    key = args.key or str(uuid.uuid4())
    db = standalone("billing", config.load().database_url("billing"), metadata)
    try:
        note = credits.issue(db, args.account_number, {
            "amount_cents": args.amount_cents, "reason": args.reason,
            "invoice_number": args.invoice}, key, {"user_id": None, "ip": None,
                                                   "user_agent": "credit_cli"})
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            print(f"{field}: {' '.join(map(str, messages))}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        db.engine.dispose()
    print(json.dumps(note))
    print(f"Idempotency-Key: {key}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
