"""Staff command line: close an account as POST /internal/v1/accounts/{n}/closure does.

``python -m services.billing.close_cli 8000123456789018 2026-12-17 "Moving to another
provider" [--key KEY]`` (or ``make close-account ACCOUNT=… DATE=… REASON=…``) asks the running
billing service (billing's ``close_account`` over RPC, as the gateway does: the closure needs
payments' word on what it can refund, and payments reacts to its event). ``--key`` is the
Idempotency-Key (a new UUID when not given: printed, so a retry can reuse it); closing again
with the same date and reason answers the first closure.
"""
import argparse
import json
import sys
import uuid

from nameko.exceptions import RpcTimeout, UnknownService

from services.contracts.errors import DomainError, InvalidInput
from services.runtime import config
from services.runtime.entrypoints import cluster_rpc_proxy
from services.runtime.rpc import register_domain_errors

CLOSE_TIMEOUT = 60  # one account's final bill: a statement and its events, in one transaction


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("account_number")
    parser.add_argument("effective_date", help="YYYY-MM-DD: the day services end")
    parser.add_argument("reason", help="why (staff's record)")
    parser.add_argument("--key", help="Idempotency-Key (default: a new UUID)")
    args = parser.parse_args(argv)
    key = args.key or str(uuid.uuid4())
    register_domain_errors()
    settings = config.load()
    actor = {"user_id": None, "ip": None, "user_agent": "close_cli"}
    try:
        with cluster_rpc_proxy({"AMQP_URI": settings.amqp_uri, "SERIALIZER": "json"},
                               timeout=CLOSE_TIMEOUT) as cluster:
            closure = cluster.billing.close_account(
                args.account_number, {"effective_date": args.effective_date,
                                      "reason": args.reason}, key, actor=actor)
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            print(f"{field}: {' '.join(map(str, messages))}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    except (RpcTimeout, UnknownService) as exc:
        print(f"billing did not answer within {CLOSE_TIMEOUT} s ({type(exc).__name__}); is it "
              "running?", file=sys.stderr)
        return 3
    print(json.dumps(closure))
    print(f"Idempotency-Key: {key}", file=sys.stderr)
    print(closure["refund"]["note"], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
