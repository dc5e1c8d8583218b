"""What the benches that run the portal share: a throwaway broker vhost, and the services and
the gunicorn gateway as real processes (the commands ops use) on a throwaway DATA_DIR.

Each process runs in its own session, so stopping one kills only what a bench started. The
benches import this as ``bench.support`` after putting the repository root on sys.path, so
that ``python bench/<name>.py`` keeps working.
"""
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from services.contracts.names import SERVICES  # noqa: E402
from tests.support.ports import free_port  # noqa: E402

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
PASSWORD = "violet staple orbit 42"
ACCOUNT = {"contact_name": "Bench", "email": "bench@bench.example", "phone": "+1 312 555 0188",
           "billing_address": {"line1": "1 Main St", "city": "Chicago", "state": "IL",
                               "postal_code": "60611"},
           "bill_cycle_day": 1, "services": []}


class Vhost:
    """A throwaway vhost, through the management API (RABBIT_API_URI, else port 15672)."""

    def __init__(self, amqp_uri):
        parsed = urlparse(amqp_uri)
        self.auth = (parsed.username or "guest", parsed.password or "guest")
        api = urlparse(os.environ.get("RABBIT_API_URI") or f"http://{parsed.hostname}:15672")
        self.api = f"{api.scheme}://{api.hostname}:{api.port or 15672}/api"
        self.name = quote(f"bizportal_bench_{secrets.token_hex(4)}", safe="")
        self.amqp_uri = urlunparse(parsed._replace(path="/" + self.name))

    def create(self):
        everything = {"configure": ".*", "write": ".*", "read": ".*"}
        for path, body in ((f"vhosts/{self.name}", None),
                           (f"permissions/{self.name}/{self.auth[0]}", everything)):
            requests.put(f"{self.api}/{path}", json=body, auth=self.auth,
                         timeout=10).raise_for_status()

    def consumers(self, queue):
        r = requests.get(f"{self.api}/queues/{self.name}/{queue}", auth=self.auth, timeout=10)
        return r.json().get("consumers", 0) if r.ok else 0

    def delete(self):
        try:
            requests.delete(f"{self.api}/vhosts/{self.name}", auth=self.auth, timeout=10)
        except requests.RequestException as exc:
            print(f"could not delete vhost {self.name}: {exc}", file=sys.stderr)


def service_command(name):
    return [sys.executable, "-m", "services.runtime.run", name]


def gateway_command(port):
    # the config file binds 0.0.0.0; the command line wins: loopback only
    return [str(Path(sys.executable).parent / "gunicorn"), "-c", "gateway/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}", "gateway.app:create_app()"]


def healthz_up(port):
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _reap(process):
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only what a bench started
        process.wait()


def stop(process):
    """SIGTERM, then SIGKILL to its session if it is not gone in 20 s."""
    process.send_signal(signal.SIGTERM)
    _reap(process)


class Processes:
    """Named processes started from ROOT with one environment, each logging to
    ``<logs>/<name>.log``; stopped in reverse order of start."""

    def __init__(self, env, logs):
        self.env, self.logs = env, Path(logs)
        self.running = {}

    def spawn(self, name, command):
        with open(self.logs / f"{name}.log", "ab") as log:
            self.running[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                                  stderr=subprocess.STDOUT,
                                                  start_new_session=True)

    def migrate(self, *services):
        subprocess.run([sys.executable, "-m", "services.runtime.migrate", *services], cwd=ROOT,
                       env=self.env, check=True, capture_output=True, timeout=120)

    def wait_until(self, check, what, timeout=60):
        """Polls ``check()`` until true; fails early when one of the processes exited."""
        deadline = time.monotonic() + timeout
        while not check():
            for name, process in self.running.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}) while waiting for "
                                       f"{what}; see {self.logs}/{name}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {what} after {timeout} s; see {self.logs}")
            time.sleep(0.3)

    def log(self, name):
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def print_logs(self):
        for name in self.running:
            print(f"--- end of {name}.log\n{self.log(name)[-3000:]}", file=sys.stderr)

    def stop(self):
        """SIGTERM to all at once (last started first), then each reaped as stop() does."""
        for process in reversed(self.running.values()):
            process.send_signal(signal.SIGTERM)
        for process in reversed(self.running.values()):
            _reap(process)


def portal_env(amqp_uri, data_dir, port, admin_token, workers, threads, log_level="WARNING",
               database_urls=None):
    """The environment of a portal on ``data_dir``: SQLite there for every service unless
    ``database_urls`` names one, mail into a Maildir there (SMTP_URL unset)."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.pop("SMTP_URL", None)
    env.update({f"{name.upper()}_DATABASE_URL": url for name, url in (database_urls or {}).items()})
    env.update(AMQP_URI=amqp_uri, DATA_DIR=str(data_dir), PORT=str(port),
               ADMIN_TOKEN=admin_token, SECRET_KEY=secrets.token_urlsafe(32), LOG_LEVEL=log_level,
               GATEWAY_WORKERS=str(workers), GATEWAY_THREADS=str(threads),
               PROMETHEUS_MULTIPROC_DIR=str(data_dir / "metrics"))
    (data_dir / "metrics").mkdir(parents=True, exist_ok=True)
    return env


class Portal:
    """``services`` and the gateway as processes on a throwaway DATA_DIR and vhost; ready when
    the gateway's /readyz says each of them is ok."""

    def __init__(self, amqp_uri, data_dir, workers, threads=4, services=SERVICES,
                 database_urls=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_urlsafe(32)
        self.services = tuple(services)
        self.env = portal_env(amqp_uri, data_dir, self.port, self.admin_token, workers, threads,
                              database_urls=database_urls)
        self.logs = data_dir
        self.processes = Processes(self.env, data_dir)

    def start(self):
        self.processes.migrate()
        for name in self.services:
            self.processes.spawn(name, service_command(name))
        self.processes.spawn("gateway", gateway_command(self.port))
        self.processes.wait_until(self._ready, "ready portal", timeout=90)

    def _ready(self):
        try:
            states = requests.get(f"{self.base}/readyz", timeout=5).json().get("services", {})
        except (requests.RequestException, ValueError):
            return False
        return all(states.get(name) == "ok" for name in self.services)

    def pids(self):
        return [process.pid for process in self.processes.running.values()]

    def stop(self):
        self.processes.stop()

    def staff(self, method, path, **kwargs):
        return requests.request(method, f"{self.base}/internal/v1/{path}", timeout=60,
                                headers={"Authorization": f"Bearer {self.admin_token}"}, **kwargs)

    def new_user(self, index, account=ACCOUNT):
        """A new account (``account`` plus a company name) and its first user, signed up with
        PASSWORD: (username, the account as opened)."""
        opened = self.staff("POST", "accounts",
                            json={**account, "company_name": f"Bench {index}"}).json()
        username = f"bench.user.{index}"
        response = requests.post(f"{self.base}/api/v1/signup", timeout=30, json={
            **opened, "username": username, "password": PASSWORD,
            "email": f"bench{index}@bench.example", "first_name": "B", "last_name": "U"})
        if response.status_code != 201:
            raise RuntimeError(f"sign-up answered {response.status_code}: {response.text[:300]}")
        return username, opened
