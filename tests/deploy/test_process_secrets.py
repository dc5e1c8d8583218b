"""The processes themselves refuse to start without real secrets: a service, a migration and
the gunicorn gateway, started as ops would, with SECRET_KEY / ADMIN_TOKEN missing or a
placeholder, exit at once saying what to set, before touching a broker or a database (none is
running for these tests: a process that got further would hang or fail differently)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
STRONG = "Zr3q8hX2vNc0pL5tW9yB1mK7dF4gJ6sA"
COMMANDS = {
    "service": [sys.executable, "-m", "services.runtime.run", "identity"],
    "migrate": [sys.executable, "-m", "services.runtime.migrate", "identity"],
    "gateway": [GUNICORN, "-c", "gateway/gunicorn.conf.py", "gateway.app:create_app()"],
}


def start(command, tmp_path, **env):
    base = {k: v for k, v in os.environ.items()
            if k not in ("SECRET_KEY", "ADMIN_TOKEN", "DEV_SECRETS")}
    # an unreachable broker and database: a refusal must come before either is needed
    base.update(DATA_DIR=str(tmp_path), AMQP_URI="amqp://u:p@127.0.0.1:9/",
                IDENTITY_DATABASE_URL="postgresql://u:p@127.0.0.1:9/identity", PORT="9",
                PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"), **env)
    return subprocess.run(command, cwd=ROOT, env=base, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("process", sorted(COMMANDS))
@pytest.mark.parametrize("secret_key", [None, "change-me"])
def test_a_process_without_a_real_secret_key_exits_saying_so(tmp_path, process, secret_key):
    env = {"ADMIN_TOKEN": STRONG[::-1]}
    if secret_key:
        env["SECRET_KEY"] = secret_key
    done = start(COMMANDS[process], tmp_path, **env)
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr + done.stdout, done.stderr[-2000:]
    assert not (tmp_path / "secret_key").exists()  # nothing generated behind the operator's back


@pytest.mark.parametrize("admin_token", [None, "change-me"])
def test_the_gateway_without_a_real_staff_token_exits_saying_so(tmp_path, admin_token):
    env = {"SECRET_KEY": STRONG}
    if admin_token:
        env["ADMIN_TOKEN"] = admin_token
    done = start(COMMANDS["gateway"], tmp_path, **env)
    assert done.returncode != 0
    assert "ADMIN_TOKEN" in done.stderr + done.stdout, done.stderr[-2000:]
