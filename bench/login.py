"""Sign-ins per second through the gateway vs raw argon2id verifications per second.

A sign-in is one argon2id verification plus everything around it (HTTP, gunicorn, the RPC
over RabbitMQ, identity's two small transactions, the signed access token). The goal is that
the portal reaches at least 85% of the raw rate, i.e. everything but the hash is negligible.

Both contenders use every core: the raw baseline runs the same PasswordHasher as identity
(same parameters) on one thread per core in this process (argon2 releases the GIL); the
gateway is driven by two keep-alive clients per core. They run in interleaved rounds so drift
in the machine's load falls on each alike. identity, billing and the gunicorn gateway run as
real processes (the commands ops use) on SQLite in a throwaway DATA_DIR and broker vhost,
both removed at the end. Run by `make bench` (scripts/bench.sh) with the defaults below.
"""
import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from services.identity.passwords import PARAMETERS, hasher  # noqa: E402
from tests.support.ports import free_port  # noqa: E402

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

    def delete(self):
        try:
            requests.delete(f"{self.api}/vhosts/{self.name}", auth=self.auth, timeout=10)
        except requests.RequestException as exc:
            print(f"could not delete vhost {self.name}: {exc}", file=sys.stderr)


class Portal:
    """identity, billing and the gateway as processes on a throwaway DATA_DIR and vhost."""

    def __init__(self, amqp_uri, data_dir, workers):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_urlsafe(32)
        self.env = {**os.environ, "AMQP_URI": amqp_uri, "DATA_DIR": str(data_dir),
                    "PORT": str(self.port), "ADMIN_TOKEN": self.admin_token,
                    "SECRET_KEY": secrets.token_urlsafe(32), "LOG_LEVEL": "WARNING",
                    "GATEWAY_WORKERS": str(workers), "GATEWAY_THREADS": "4",
                    "PROMETHEUS_MULTIPROC_DIR": str(data_dir / "metrics")}
        for name in ("IDENTITY", "BILLING", "PAYMENTS", "NOTIFICATIONS"):
            self.env.pop(f"{name}_DATABASE_URL", None)
        (data_dir / "metrics").mkdir(parents=True)
        self.logs = data_dir
        self.processes = []

    def start(self):
        subprocess.run([sys.executable, "-m", "services.runtime.migrate"], cwd=ROOT,
                       env=self.env, check=True, capture_output=True, timeout=120)
        commands = [[sys.executable, "-m", "services.runtime.run", "identity"],
                    [sys.executable, "-m", "services.runtime.run", "billing"],
                    [str(Path(sys.executable).parent / "gunicorn"), "-c",
                     "gateway/gunicorn.conf.py", "gateway.app:create_app()"]]
        for index, command in enumerate(commands):
            log = open(self.logs / f"process-{index}.log", "ab")
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                                   stderr=subprocess.STDOUT,
                                                   start_new_session=True))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                ready = requests.get(f"{self.base}/readyz", timeout=5).json()
                if ready.get("services", {}).get("identity") == "ok" and \
                        ready["services"].get("billing") == "ok":
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"portal not ready; see {self.logs}")

    def stop(self):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def new_user(self, index):
        opened = requests.post(f"{self.base}/internal/v1/accounts", timeout=10,
                               headers={"Authorization": f"Bearer {self.admin_token}"},
                               json={**ACCOUNT, "company_name": f"Bench {index}"}).json()
        username = f"bench.user.{index}"
        response = requests.post(f"{self.base}/api/v1/signup", timeout=20, json={
            **opened, "username": username, "password": PASSWORD,
            "email": f"bench{index}@bench.example", "first_name": "B", "last_name": "U"})
        response.raise_for_status()
        return username


def cpu_seconds(pid):
    """User+system CPU of ``pid`` and its children (gunicorn workers), from /proc."""
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0
    return total + sum(cpu_seconds(int(child)) for child in children)


def run_for(seconds, workers, work):
    """Calls ``work(worker_index)`` from ``workers`` threads for ``seconds``; returns rate/s."""
    counts = [0] * workers
    stop = time.monotonic() + seconds

    def loop(index):
        while time.monotonic() < stop:
            work(index)
            counts[index] += 1
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI")
                        or "amqp://guest:guest@localhost:5672/")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    clients = 2 * cores

    vhost = Vhost(args.amqp_uri)
    vhost.create()
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-login-"))
    portal = Portal(vhost.amqp_uri, data_dir, workers=max(2, cores))
    try:
        portal.start()
        usernames = [portal.new_user(i) for i in range(clients)]
        connections = [None] * clients
        bodies = [json.dumps({"username": u, "password": PASSWORD}) for u in usernames]

        def sign_in(index):
            # http.client keep-alive: the load generator shares the cores, so keep it light
            for attempt in range(3):
                if connections[index] is None:
                    connections[index] = http.client.HTTPConnection("127.0.0.1", portal.port,
                                                                    timeout=30)
                try:
                    connections[index].request("POST", "/api/v1/auth/login", bodies[index],
                                               {"Content-Type": "application/json"})
                    response = connections[index].getresponse()
                    body = response.read()
                    break
                except (ConnectionError, http.client.HTTPException):
                    connections[index].close()  # the server closed a kept-alive connection
                    connections[index] = None
            else:
                raise RuntimeError("sign-in kept failing to connect")
            if response.status != 200:
                raise RuntimeError(f"sign-in failed: {response.status} {body[:200]}")

        stored = hasher.hash(PASSWORD)

        def verify(_index):
            hasher.verify(stored, PASSWORD)

        run_for(1.0, clients, sign_in)  # warm up: connections, proxies, revocation feeds
        raw, portal_rates = [], []
        names = ["identity", "billing", "gateway"]
        cpu = dict.fromkeys(names + ["this process (clients)"], 0.0)
        signed_ins, verified, hash_cpu = 0, 0, 0.0
        for _ in range(args.rounds):
            cpu_before, started = time.process_time(), time.monotonic()
            raw.append(run_for(args.seconds, cores, verify))
            hash_cpu += time.process_time() - cpu_before
            verified += raw[-1] * (time.monotonic() - started)
            before = [cpu_seconds(p.pid) for p in portal.processes] + [time.process_time()]
            started = time.monotonic()
            portal_rates.append(run_for(args.seconds, clients, sign_in))
            signed_ins += portal_rates[-1] * (time.monotonic() - started)
            after = [cpu_seconds(p.pid) for p in portal.processes] + [time.process_time()]
            for name, b, a in zip(cpu, before, after):
                cpu[name] += a - b
        raw_rate, portal_rate = statistics.median(raw), statistics.median(portal_rates)
        # each round's pair ran back to back, under the same outside load: compare within it
        ratios = [p / r for p, r in zip(portal_rates, raw)]
        print(f"argon2id parameters: {PARAMETERS}; {cores} cores; {clients} HTTP clients; "
              f"{args.rounds} rounds of {args.seconds:g} s")
        print(f"raw argon2id verifications/s ({cores} threads): {raw_rate:.1f}  "
              f"(rounds: {', '.join(f'{r:.1f}' for r in raw)})")
        print(f"sign-ins/s through the gateway:        {portal_rate:.1f}  "
              f"(rounds: {', '.join(f'{r:.1f}' for r in portal_rates)})")
        print(f"CPU ms per raw verification: {1000 * hash_cpu / verified:.1f}")
        print("CPU ms per sign-in: " + ", ".join(
            f"{name} {1000 * seconds / signed_ins:.1f}" for name, seconds in cpu.items()))
        print(f"ratio sign-ins / raw verifications (median of rounds): "
              f"{statistics.median(ratios):.2f} (goal >= 0.85; rounds: "
              f"{', '.join(f'{r:.2f}' for r in ratios)})")
    finally:
        portal.stop()
        vhost.delete()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
