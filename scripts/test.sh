#!/usr/bin/env bash
# The whole test suite, in four pytest runs:
#   1. unit and deployment-file tests (plain Python);
#   2. service tests: nameko containers under eventlet's monkey patch (-p tests.support.green);
#   3. end-to-end, browser and API fuzzing tests: real processes over HTTP, no monkey patch here.
#   4. the short chaos run (tests/chaos: a private broker and database; -rP prints its table).
# Every run happens; the script fails if any did (pytest's "no tests ran" counts as failing).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
scripts/ensure-chromium.sh || exit 1
scripts/ensure-tools.sh || exit 1

status=0
run() {
  echo "== pytest $*"
  "$BIN/python" -m pytest "$@"
  local code=$?
  [ "$code" -eq 0 ] || status=1
}
run tests/unit tests/deploy -q
run -p tests.support.green tests/service -q
run tests/e2e tests/browser tests/fuzz -q
run tests/chaos -q -rP
exit $status
