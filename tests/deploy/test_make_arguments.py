"""What staff type after ``make find-account Q=`` (or ``credit REASON=``, ``close-account
REASON=``, ``bill-run DATE=``, ``dead-letters REPLAY=``) reaches the command word for word:
the Makefile run for real (GNU make) with a stand-in python that records its arguments, so no quote, ``$``, backtick or ``;``
in a value (a company name is its customer's choice, and staff copy it from the overview) is
ever read by the shell."""
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


def run_make(fake_bin, tmp_path, target, *assignments):
    """``make TARGET VAR=value…`` with the stand-in python: the argv it was given."""
    stamp = tmp_path / "installed"
    stamp.touch()
    work = tmp_path / "cwd"
    work.mkdir(exist_ok=True)
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "-o", str(stamp), target, *assignments,
         f"BIN={fake_bin}", f"STAMP={stamp}"],
        capture_output=True, text=True, timeout=60, cwd=work,
        env={**os.environ, "HOME": str(work)})
    assert done.returncode == 0, done.stderr
    assert not list(ROOT.glob("PWNED")) and not list(work.glob("PWNED"))
    return json.loads((fake_bin / "argv.json").read_text())


@pytest.mark.parametrize("q", QUERIES)
def test_find_account_passes_q_to_the_search_as_typed(fake_bin, tmp_path, q):
    assert run_make(fake_bin, tmp_path, "find-account", f"Q={q}") == [
        "-m", "services.billing.find_cli", q]


@pytest.mark.parametrize("text", QUERIES[:-1])
def test_credit_passes_every_value_as_typed(fake_bin, tmp_path, text):
    assert run_make(fake_bin, tmp_path, "credit", f"ACCOUNT={text}", "AMOUNT=500",
                    f"REASON={text}", f"INVOICE={text}", f"KEY={text}") == [
        "-m", "services.billing.credit_cli", text, "500", text, "--invoice", text, "--key", text]


def test_credit_leaves_out_what_was_not_given(fake_bin, tmp_path):
    assert run_make(fake_bin, tmp_path, "credit", "ACCOUNT=4929000000000006", "AMOUNT=500",
                    "REASON=Outage") == [
        "-m", "services.billing.credit_cli", "4929000000000006", "500", "Outage"]


@pytest.mark.parametrize("text", QUERIES[:-1])
def test_bill_run_and_dead_letters_pass_their_values_as_typed(fake_bin, tmp_path, text):
    assert run_make(fake_bin, tmp_path, "bill-run", f"DATE={text}") == [
        "-m", "services.billing.cli", "--date", text]
    assert run_make(fake_bin, tmp_path, "dead-letters", f"REPLAY={text}") == [
        "-m", "services.runtime.dead_letters_cli", "replay", text]
    assert run_make(fake_bin, tmp_path, "dead-letters", f"SERVICE={text}") == [
        "-m", "services.runtime.dead_letters_cli", "list", "--service", text]


def test_bill_run_and_dead_letters_without_values(fake_bin, tmp_path):
    assert run_make(fake_bin, tmp_path, "bill-run") == ["-m", "services.billing.cli"]
    assert run_make(fake_bin, tmp_path, "dead-letters") == [
        "-m", "services.runtime.dead_letters_cli", "list"]


@pytest.mark.parametrize("text", QUERIES[:-1])
def test_close_account_passes_every_value_as_typed(fake_bin, tmp_path, text):
    assert run_make(fake_bin, tmp_path, "close-account", f"ACCOUNT={text}", f"DATE={text}",
                    f"REASON={text}", f"KEY={text}") == [
        "-m", "services.billing.close_cli", text, text, text, "--key", text]
    assert run_make(fake_bin, tmp_path, "close-account", "ACCOUNT=4929000000000006",
                    "DATE=2026-12-17", "REASON=Moving") == [
        "-m", "services.billing.close_cli", "4929000000000006", "2026-12-17", "Moving"]
