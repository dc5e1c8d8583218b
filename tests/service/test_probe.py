"""The probes Kubernetes runs in a service pod (services/runtime/probe.py), run as the kubelet
runs them: a separate process, against a real service in a nameko container on the real broker.
The service process here is this test process (it holds the container's broker connection), so
the probe is pointed at it with --pid instead of the container's PID 1."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nameko.extensions import DependencyProvider

from services.identity.service import IdentityService
from services.runtime.service_health import HealthMixin

ROOT = Path(__file__).resolve().parents[2]


def probe(amqp_uri, tmp_path, *args, timeout=2):
    env = {**os.environ, "AMQP_URI": amqp_uri, "DATA_DIR": str(tmp_path)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "services.runtime.probe", *args,
                           "--timeout", str(timeout)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    done.seconds = time.monotonic() - started
    return done


class DatabaseDown(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return self

    def ping(self):
        raise ConnectionRefusedError("connection refused")


class IdentityWithoutItsDatabase(HealthMixin):
    """identity's own health RPC, on a database that refuses connections."""
    name = "identity"
    db = DatabaseDown()


def test_readiness_passes_while_the_service_answers_its_health_rpc(start_service, vhost, tmp_path):
    start_service(IdentityService)
    done = probe(vhost[1], tmp_path, "identity", "--pid", str(os.getpid()))
    assert done.returncode == 0, done.stderr
    assert "'status': 'ok'" in done.stdout and "'database': 'ok'" in done.stdout


def test_liveness_passes_for_the_process_connected_to_the_broker(start_service, vhost, tmp_path):
    start_service(IdentityService)
    done = probe(vhost[1], tmp_path, "identity", "--live", "--pid", str(os.getpid()))
    assert done.returncode == 0, done.stderr
    assert "connected to the broker" in done.stdout


def test_readiness_fails_when_the_service_says_its_database_is_down(
        container_factory, vhost, tmp_path):
    container_factory(IdentityWithoutItsDatabase, {"AMQP_URI": vhost[1]}).start()
    done = probe(vhost[1], tmp_path, "identity", "--pid", str(os.getpid()))
    assert done.returncode == 1
    assert "'database': 'down'" in done.stderr
    # the database is not the process: liveness still passes, so no restart
    assert probe(vhost[1], tmp_path, "identity", "--live", "--pid", str(os.getpid())).returncode == 0


def test_readiness_fails_within_its_timeout_when_no_replica_answers(
        container_factory, vhost, broker, tmp_path):
    container_factory(IdentityWithoutItsDatabase, {"AMQP_URI": vhost[1]}).start()  # our connection
    name, empty = broker.create_vhost()  # the same broker, where no identity consumes
    try:
        done = probe(empty, tmp_path, "identity", "--pid", str(os.getpid()), timeout=1)
    finally:
        broker.delete_vhost(name)
    assert done.returncode == 1
    assert "did not answer its health RPC" in done.stderr or "no answer within" in done.stderr
    assert done.seconds < 15  # python's start-up and imports, plus at most timeout + 1


def test_both_probes_fail_for_a_process_with_no_connection_to_a_broker_that_answers(
        start_service, vhost, tmp_path):
    start_service(IdentityService)  # the service answers, but the process probed is not it
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for args in (("--live",), ()):
            done = probe(vhost[1], tmp_path, "identity", *args, "--pid", str(idle.pid))
            assert done.returncode == 1, args
            assert "no established connection to a broker" in done.stderr, args
    finally:
        idle.kill()
        idle.wait()


def test_while_no_broker_can_be_reached_the_process_is_not_ready_but_not_restarted(tmp_path):
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    nowhere = "amqp://u:p@127.0.0.1:9/x;amqp://u:p@127.0.0.1:10/x;amqp://u:p@127.0.0.1:11/x"
    try:
        live = probe(nowhere, tmp_path, "identity", "--live", "--pid", str(idle.pid))
        ready = probe(nowhere, tmp_path, "identity", "--pid", str(idle.pid))
    finally:
        idle.kill()
        idle.wait()
    assert live.returncode == 0 and "no broker can be reached" in live.stdout, live.stderr
    assert ready.returncode == 1


def test_liveness_fails_for_a_process_that_is_gone(vhost, tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    done = probe(vhost[1], tmp_path, "identity", "--live", "--pid", str(gone.pid))
    assert done.returncode == 1
    assert f"cannot read process {gone.pid}" in done.stderr


@pytest.mark.parametrize("uri, ports", [
    ("amqp://u:p@h1:5672/v;amqp://u:p@h2:5673/v;amqps://u:p@h3/v", {5672, 5673, 5671}),
    ("pyamqp://u:p@h1/v", {5672}),
])
def test_the_broker_ports_are_read_from_every_failover_url(uri, ports):
    from services.runtime.probe import broker_ports
    assert broker_ports(uri) == ports


def test_readiness_passes_when_the_first_broker_the_uri_lists_is_down(start_service, vhost, tmp_path):
    start_service(IdentityService)
    # the manifests list every node of the cluster; one away must not fail every pod's probe
    down_first = f"amqp://u:p@127.0.0.1:9/x;{vhost[1]}"
    done = probe(down_first, tmp_path, "identity", "--pid", str(os.getpid()), timeout=3)
    assert done.returncode == 0, done.stderr


STUCK_SERVICE = """
import eventlet; eventlet.monkey_patch()
import sys
from nameko.rpc import rpc
from nameko.runners import ServiceRunner

class Idle:
    name = "idle"

    @rpc
    def ping(self):
        return "pong"

runner = ServiceRunner({"AMQP_URI": sys.argv[1], "HEARTBEAT": 2})
runner.add_service(Idle)
runner.start()
runner.wait()
"""


def eventually_exits(amqp_uri, tmp_path, args, code, within):
    deadline = time.monotonic() + within
    while True:
        done = probe(amqp_uri, tmp_path, *args)
        if done.returncode == code or time.monotonic() > deadline:
            return done
        time.sleep(0.5)


def test_liveness_fails_once_a_stuck_process_has_lost_its_broker_connection(vhost, tmp_path):
    # a process that stops running (here SIGSTOP; in life a blocked hub) sends no heartbeats;
    # the broker drops its connection, and the probe sees it gone while the broker answers
    process = subprocess.Popen([sys.executable, "-W", "ignore", "-c", STUCK_SERVICE, vhost[1]],
                               cwd=ROOT)
    args = ("identity", "--live", "--pid", str(process.pid))
    try:
        assert eventually_exits(vhost[1], tmp_path, args, 0, within=20).returncode == 0
        process.send_signal(signal.SIGSTOP)
        done = eventually_exits(vhost[1], tmp_path, args, 1, within=30)
        assert done.returncode == 1, done.stdout
        assert "no established connection to a broker" in done.stderr
    finally:
        process.send_signal(signal.SIGCONT)
        process.kill()
        process.wait()
