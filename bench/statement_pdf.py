"""Statement PDF: what rendering outside billing costs (issue 11, point 1), against the
baseline of rendering in-process, measured in the same run.

* sandboxed: ``services.billing.pdf_sandbox.render`` (the fork server's child per statement,
  with its limits and confinement, over a Unix socket), after one render that starts the
  renderer (its start-up time is printed on its own);
* baseline: ``services.billing.pdf.render`` in this process.

Both render the same statement (``--lines`` lines, default 12) ``--renders`` times (default
50), interleaved; prints the median and 90th percentile of each and their ratio. Needs no
broker or database. Run by `make bench`.
"""
import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.billing import pdf, pdf_sandbox  # noqa: E402

STATEMENT = {
    "invoice_number": "26110110000042", "statement_date": "2026-11-01",
    "due_date": "2026-11-22", "previous_balance_cents": 10000, "payments_cents": 10000,
    "adjustments_cents": 0, "new_charges_cents": 0, "amount_due_cents": 0,
    "account": {"account_number": "4000000000000002", "company_name": "Harbor Street Dental",
                "contact_name": "Dana", "billing_address": {
                    "line1": "220 Harbor Street", "line2": None, "city": "San Francisco",
                    "state": "CA", "postal_code": "94111"}},
    "sections": [{"name": "Voice", "code": "voice", "subtotal_cents": 0, "lines": []}],
}


def statement(lines):
    detail = copy.deepcopy(STATEMENT)
    detail["sections"][0]["lines"] = [
        {"description": f"Business Voice line {i + 1}", "quantity": 1, "amount_cents": 2999}
        for i in range(lines)]
    detail["sections"][0]["subtotal_cents"] = detail["new_charges_cents"] = \
        detail["amount_due_cents"] = 2999 * lines
    return detail


def timed(render, detail):
    started = time.perf_counter()
    render(detail)
    return (time.perf_counter() - started) * 1000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--lines", type=int, default=12)
    args = parser.parse_args(argv)
    detail = statement(args.lines)
    print(f"renderer start and first statement: {timed(pdf_sandbox.render, detail):.0f} ms")
    sandboxed, baseline = [], []
    for _ in range(args.renders):
        sandboxed.append(timed(pdf_sandbox.render, detail))
        baseline.append(timed(pdf.render, detail))
    for name, figures in (("sandboxed", sandboxed), ("in-process baseline", baseline)):
        p90 = statistics.quantiles(figures, n=10)[-1]
        print(f"{name:>20}: median {statistics.median(figures):6.1f} ms, p90 {p90:6.1f} ms")
    print(f"{'ratio':>20}: {statistics.median(sandboxed) / statistics.median(baseline):.1f}x "
          f"the in-process median ({args.renders} renders of {args.lines} lines)")


if __name__ == "__main__":
    main()
