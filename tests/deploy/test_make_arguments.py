"""What staff type after ``make find-account Q=`` reaches the search word for word: the
Makefile run for real (GNU make) with a stand-in python that records its arguments, so no
quote, ``$``, backtick or ``;`` in Q (a company name is its customer's choice, and staff copy
it from the overview) is ever read by the shell."""
import json
import os
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

QUERIES = ['x"; touch PWNED; "', "$(touch PWNED)", "`touch PWNED`", "O'Brien & Sons",
           "Cash$Flow $HOME $$ %", "a\\\" b", "100% Juice; (ltd) | tee PWNED", ""]


@pytest.fixture
def fake_bin(tmp_path):
    """A BIN whose python writes its argv, as JSON, to argv.json beside it."""
    (tmp_path / "python").write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"open({str(tmp_path / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n")
    (tmp_path / "python").chmod(0o755)
    return tmp_path


@pytest.mark.parametrize("q", QUERIES)
def test_find_account_passes_q_to_the_search_as_typed(fake_bin, tmp_path, q):
    stamp = tmp_path / "installed"
    stamp.touch()
    work = tmp_path / "cwd"
    work.mkdir()
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "-o", str(stamp), "find-account", f"Q={q}",
         f"BIN={fake_bin}", f"STAMP={stamp}"],
        capture_output=True, text=True, timeout=60, cwd=work,
        env={**os.environ, "HOME": str(work)})
    assert done.returncode == 0, done.stderr
    assert json.loads((fake_bin / "argv.json").read_text()) == [
        "-m", "services.billing.find_cli", q]
    assert not list(ROOT.glob("PWNED")) and not list(work.glob("PWNED"))


@pytest.mark.parametrize("reason", QUERIES[:-1])
def test_credit_passes_every_value_to_the_command_as_typed(fake_bin, tmp_path, reason):
    """``make credit``'s REASON (text staff may copy from a customer's dispute) and the
    others reach credit_cli word for word, never the shell."""
    stamp = tmp_path / "installed"
    stamp.touch()
    work = tmp_path / "cwd"
    work.mkdir()
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "-o", str(stamp), "credit", "ACCOUNT=4000000000000002",
         "AMOUNT=1500", f"REASON={reason}", f"INVOICE={reason}", f"KEY={reason}",
         f"BIN={fake_bin}", f"STAMP={stamp}"],
        capture_output=True, text=True, timeout=60, cwd=work,
        env={**os.environ, "HOME": str(work)})
    assert done.returncode == 0, done.stderr
    assert json.loads((fake_bin / "argv.json").read_text()) == [
        "-m", "services.billing.credit_cli", "4000000000000002", "1500", reason,
        "--invoice", reason, "--key", reason]
    assert not list(ROOT.glob("PWNED")) and not list(work.glob("PWNED"))
