"""Every bench still runs: each bench/*.py, in a tiny mode made of its own flags, exits 0 and
prints a ``ratio`` line. scripts/bench.sh stops at the first failing bench, so a broken bench
hid the ones after it (bench/payments.py did, until ff8160b); this is what notices now.

Figures are never checked: a tiny run on a shared machine measures nothing. The timeout only
keeps a hung bench from hanging the suite. Each bench makes its own vhost, folders and
databases on the servers the tests use (AMQP_URI, RABBIT_API_URI, TEST_DATABASE_URL).
"""
import os
import re
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

# bench script -> its arguments for a run that only proves it works end to end
TINY = {
    "account_search.py": ["--accounts", "2000", "--queries", "70", "--rpc-queries", "14"],
    "bill_run.py": ["--accounts", "50", "--calls", "5", "--rounds", "1"],
    "bill_run_cluster.py": ["--accounts", "50", "--calls", "5", "--rounds", "1"],
    "calls_csv.py": ["--calls", "2000"],
    "collections_run.py": ["--accounts", "200"],
    "forgot_password.py": ["--users", "2"],
    "fraud.py": ["--accounts", "20", "--months", "2", "--calls", "2000", "--batch", "500",
                 "--concurrency", "2", "--rounds", "1"],
    "login.py": ["--seconds", "0.5", "--rounds", "1"],
    "payments.py": ["--seconds", "1", "--concurrency", "2", "--samples", "5", "--workers", "1",
                    "--threads", "2"],
    "queue_types.py": ["--calls", "40", "--events", "80", "--rounds", "1"],
    "quorum_rpc.py": ["--calls", "40", "--rounds", "1"],
    "rpc_overhead.py": ["--calls", "20", "--requests", "50", "--seconds", "1", "--rounds", "1",
                        "--concurrency", "2", "--workers", "1", "--threads", "2"],
    "statement_pdf.py": ["--renders", "3", "--lines", "2"],
    "usage_ingest.py": ["--calls", "2000", "--batch", "500", "--concurrency", "2",
                        "--rounds", "1"],
}
NOT_BENCHES = {"support.py"}  # bench/support.py: what the benches share
# these start a private 3-node RabbitMQ cluster: 1.5 to 2 minutes each on a loaded 2-core
# machine however small the run, more than this whole test may take; BENCH_SMOKE_CLUSTER=1 runs them
CLUSTER = {"bill_run_cluster.py", "queue_types.py"}
RATIO = re.compile(r"^\s*ratio\b", re.MULTILINE)


def test_every_bench_has_a_tiny_mode():
    scripts = {path.name for path in (ROOT / "bench").glob("*.py")} - NOT_BENCHES
    assert scripts == set(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_bench_runs_and_prints_its_ratio(script, broker, postgres):
    if script in CLUSTER and not os.environ.get("BENCH_SMOKE_CLUSTER"):
        pytest.skip("starts a private 3-node cluster (minutes); BENCH_SMOKE_CLUSTER=1 runs it")
    env = {**os.environ, "AMQP_URI": broker.amqp_uri, "RABBIT_API_URI": broker.api_uri,
           "TEST_DATABASE_URL": postgres.admin_url}
    done = subprocess.run([sys.executable, f"bench/{script}", *TINY[script]], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert RATIO.search(done.stdout), f"{script} printed no ratio line:\n{done.stdout[-3000:]}"
