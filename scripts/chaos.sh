#!/usr/bin/env bash
# make chaos: the long fault-injection run (tests/chaos, >= 1,000 operations, every fault
# twice) on a private RabbitMQ node and PostgreSQL cluster, then API fuzzing with a large
# budget when tests/fuzz is there. Fails if either does.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
"$BIN/python" -m tests.chaos "$@" || status=1
if [ -d tests/fuzz ]; then
  # the secret scan runs last in that session, over everything the fuzzer made
  FUZZ_RANDOM=1 FUZZ_CASES=${FUZZ_CASES:-5000} "$BIN/python" -m pytest tests/fuzz \
    tests/e2e/test_secrets_at_rest.py -q -rP || status=1
fi
exit $status
