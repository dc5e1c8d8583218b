"""Staff command line: run a billing cycle with a progress bar.

``python -m services.billing.cli --date 2026-11-01 [--account N ...]`` (or ``make bill-run
DATE=2026-11-01``) bills the same way as POST /internal/v1/bill-runs and the daily timer, in
the same batches, so it is safe beside running billing replicas. Its events wait in the
outbox until a running billing service's relay publishes them.
"""
import argparse
import sys
from datetime import date

from tqdm import tqdm

from services.billing import bill_runs
from services.billing.models import metadata
from services.runtime import clock
from services.runtime import config
from services.runtime.database import standalone


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=date.fromisoformat,
                        default=clock.today(),
                        help="statement date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--account", action="append", dest="accounts", metavar="NUMBER",
                        help="bill only this account (repeatable), whatever its cycle day")
    args = parser.parse_args(argv)
    settings = config.load()
    db = standalone("billing", settings.database_url("billing"), metadata)
    try:
        with db.transaction() as tx:
            total = bill_runs.pending_count(tx.session, args.date, args.accounts)
        with tqdm(total=total, unit="statement", desc=f"Bill run {args.date}",
                  file=sys.stderr) as bar:
            issued = bill_runs.run(db, args.date, args.accounts, progress=bar.update)
    finally:
        db.engine.dispose()
    print(f"{issued} statements issued for {args.date}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
