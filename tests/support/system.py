"""The whole system as real processes, for end-to-end and browser tests (and chaos runs):
the four services (``python -m services.runtime.run``) and the gunicorn gateway, on a real
broker vhost and real PostgreSQL databases, with a throwaway DATA_DIR. Each process can be
stopped and started again while the rest keep running."""
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from services.contracts.names import SERVICES
from tests.support.event_capture import EventCapture
from tests.support.paths import ROOT
from tests.support.ports import free_port


class System:
    # retries default to production's (5 tries within 15-22 s): a chaos run's outages must not
    # park good events; the e2e session passes fewer so its dead-letter tests need not wait
    def __init__(self, amqp_uri, database_urls, data_dir, rpc_timeout=5, event_max_attempts=5,
                 event_retry_max_delay=30, replicas=1):
        self.replicas = replicas  # of each service: "billing", then "billing.2", ...
        self.process_env = {}     # process name -> its own variables (a replica's broker list)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.metrics_port = free_port()  # the gateway's /metrics (not on the public port)
        self.metrics_url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        self.admin_token = secrets.token_urlsafe(32)  # the processes refuse short ones
        self.data_dir = Path(data_dir)
        self.env = {
            **os.environ,
            "AMQP_URI": amqp_uri, "DATA_DIR": str(self.data_dir), "PORT": str(self.port),
            "METRICS_PORT": str(self.metrics_port),
            "FORWARDED_ALLOW_IPS": "127.0.0.1",  # the "proxy"; 127.0.0.2 is an outside client
            "ADMIN_TOKEN": self.admin_token, "SECRET_KEY": secrets.token_urlsafe(32),
            "PUBLIC_URL": self.base_url, "RPC_TIMEOUT": str(rpc_timeout), "LOG_LEVEL": "INFO",
            "GATEWAY_WORKERS": "2", "GATEWAY_THREADS": "4",
            "EVENT_MAX_ATTEMPTS": str(event_max_attempts),
            "EVENT_RETRY_MAX_DELAY": str(event_retry_max_delay),
            "PROMETHEUS_MULTIPROC_DIR": str(self.data_dir / "metrics"),
        }
        self.env.pop("SMTP_URL", None)
        for service, url in database_urls.items():
            self.env[f"{service.upper()}_DATABASE_URL"] = url
        self.processes = {}
        self.logs = self.data_dir / "logs"
        # a copy of every event published, for the secret scan (declared before any service)
        self.events = EventCapture(amqp_uri)
        self._events_declared = False

    def commands(self):
        python = sys.executable
        commands = {}
        for service in SERVICES:
            for replica in range(1, self.replicas + 1):
                name = service if replica == 1 else f"{service}.{replica}"
                commands[name] = [python, "-m", "services.runtime.run", service]
        commands["gateway"] = [str(Path(python).parent / "gunicorn"), "-c",
                               "gateway/gunicorn.conf.py", "gateway.app:create_app()"]
        return commands

    def migrate(self):
        subprocess.run([sys.executable, "-m", "services.runtime.migrate"], cwd=ROOT, env=self.env,
                       check=True, capture_output=True, timeout=120)

    def start(self, name=None):
        self.logs.mkdir(parents=True, exist_ok=True)
        if not self._events_declared:
            self.events.declare()
            self._events_declared = True
        for process_name, command in self.commands().items():
            if name in (None, process_name) and process_name not in self.processes:
                log = open(self.logs / f"{process_name}.log", "ab")
                self.processes[process_name] = subprocess.Popen(
                    command, cwd=ROOT, env={**self.env, **self.process_env.get(process_name, {})},
                    stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)

    def stop(self, name, sig=signal.SIGTERM):
        process = self.processes.pop(name)
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = requests.get(f"{self.base_url}/readyz", timeout=5)
                if last.status_code == 200:
                    return last.json()
            except requests.RequestException as exc:
                last = exc
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: see {self.logs / name}.log")
            time.sleep(0.3)
        raise RuntimeError(f"system not ready in {timeout}s: {last}")

    def url(self, path):
        return self.base_url + path

    def staff(self):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.admin_token}"
        return session

    def log_text(self, name):
        return (self.logs / f"{name}.log").read_text(errors="replace")


def eventually(check, timeout=15, interval=0.2):
    """Poll ``check`` until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check.__doc__ or check}")
        time.sleep(interval)
