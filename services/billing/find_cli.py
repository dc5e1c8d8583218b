"""Staff command line: find accounts as the desk does (GET /internal/v1/accounts?q=).

``python -m services.billing.find_cli "harbor" [--limit 20] [--all] [--json]`` (or ``make
find-account Q=harbor``) reads billing's database (BILLING_DATABASE_URL) through the same
search (services/billing/search.py): by account or invoice number, the start of a company
name (any case), an email or a phone. A table for people; ``--json`` one JSON object per
account for scripts; ``--all`` follows every page.
"""
import argparse
import json
import sys

from services.billing import search
from services.billing.models import metadata
from services.contracts.errors import InvalidInput
from services.runtime import config
from services.runtime.database import standalone


def pages(db, q, limit, every):
    cursor = None
    while True:
        with db.transaction() as tx:
            page = search.find(tx.session, q, limit, cursor)
        yield page["items"]
        cursor = page["next_cursor"]
        if not every or cursor is None:
            return


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("q", help="account or invoice number, company name start, email, phone")
    parser.add_argument("--limit", type=int, default=20, help="accounts a page (1-100)")
    parser.add_argument("--all", action="store_true", help="every page, not only the first")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    db = standalone("billing", config.load().database_url("billing"), metadata)
    shown = 0
    try:
        for items in pages(db, args.q, args.limit, args.all):
            for item in items:
                shown += 1
                if args.json:
                    print(json.dumps(item))
                else:
                    print(f"{item['account_number']}  {item['status']:<9} "
                          f"{item['balance_cents'] / 100:>12,.2f}  {item['company_name']}  "
                          f"<{item['email']}>  {item['phone']}")
    except InvalidInput as exc:
        for field, messages in exc.errors.items():
            print(f"{field}: {' '.join(messages)}", file=sys.stderr)
        return 2
    finally:
        db.engine.dispose()
    if not args.json:
        print(f"{shown} account{'s' if shown != 1 else ''}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
