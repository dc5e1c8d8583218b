"""The secret scan (issue 7, part 5): after every other end-to-end, browser and fuzz test of
the session (RUN_LAST, see tests/conftest.py), nothing the system keeps or publishes holds a
card number or a secret the tests used: not a database row, a log line, a mail (but a token's
own delivery mail), a print-batch PDF, nor an event captured from the exchanges."""
import time
from collections import Counter

from tests.support.secret_collector import KNOWN
from tests.support.secret_scan import scan_running

RUN_LAST = True


def test_no_secret_is_kept_or_published_anywhere(system):
    started = time.perf_counter()
    findings = scan_running(system, KNOWN)
    kinds = Counter(KNOWN.values.values())
    print(f"\nsecret scan in {time.perf_counter() - started:.1f} s: {findings.summary()}")
    print("  known secrets by kind: " + ", ".join(f"{n} {k}" for k, n in kinds.most_common()))
    for finding in findings[:50]:
        print(f"  {finding}")
    assert not findings, f"{len(findings)} secret(s) found: " + "; ".join(map(str, findings[:10]))
