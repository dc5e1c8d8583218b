"""A broker frozen with SIGSTOP (its TCP connections stay open, it never answers): the gateway's
RPC client and a nameko service both leave it for the second broker of AMQP_URI within
heartbeats.frozen_node_bound (issue 14 point 2). Two private single-node brokers, real; the
service is a small nameko one run as ours are (services/runtime/heartbeats.install), at the
default HEARTBEAT and RPC timeout, so the bound checked is the one production has.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gateway.rpc import RpcClient, ServiceUnavailable
from services.runtime.config import DEFAULT_HEARTBEAT
from services.runtime.heartbeats import frozen_node_bound
from tests.chaos.cluster import ClusterNode

pytestmark = pytest.mark.skipif(
    shutil.which("rabbitmq-server") is None or os.geteuid() != 0,
    reason="needs rabbitmq-server and root (a private broker runs as the rabbitmq user)")
ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT = DEFAULT_HEARTBEAT

SERVICE = """
import eventlet; eventlet.monkey_patch()
import sys
from nameko.rpc import rpc
from nameko.runners import ServiceRunner
from services.runtime import heartbeats

class Frozen:
    name = "frozen_probe"

    @rpc
    def ping(self):
        return "pong"

    @rpc
    def health(self):  # the gateway's client pings a service that failed to answer
        return "ok"

heartbeats.install(int(sys.argv[2]))
runner = ServiceRunner({"AMQP_URI": sys.argv[1], "HEARTBEAT": int(sys.argv[2])})
runner.add_service(Frozen)
runner.start()
runner.wait()
"""


@pytest.fixture
def two_brokers():
    tmp = Path(tempfile.mkdtemp(prefix="bizportal-frozen-"))
    os.chmod(tmp, 0o755)
    brokers = [ClusterNode(tmp, 1), ClusterNode(tmp, 2)]  # two nodes, not clustered
    try:
        for broker in brokers:
            broker.start()
        yield brokers
    finally:
        for broker in brokers:
            if broker.frozen:
                broker.thaw()
            broker.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def answered(client, within):
    """Seconds until ``frozen_probe.ping`` answers, each call bounded by the client."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        call_started = time.monotonic()
        try:
            assert client.call("frozen_probe", "ping") == "pong"
            return time.monotonic() - started
        except ServiceUnavailable:
            # no call may hang on the frozen broker: each gives up after its own bound
            assert time.monotonic() - call_started < frozen_node_bound(HEARTBEAT)
            time.sleep(0.1)
    return None


@pytest.mark.skipif(not os.environ.get("CHAOS_CLUSTER"), reason=(
    "open work (issue 14 point 2), run by make chaos-cluster: measured 21.4 s at HEARTBEAT 5 "
    "(bound 20 s) and 12.9 s at HEARTBEAT 2 (bound 11 s); the gateway's first call after the "
    "freeze waits a confirm timeout, then its whole RPC timeout for a reply queue left on the "
    "frozen node"))
def test_the_gateway_and_a_service_leave_a_frozen_broker_within_the_bound(two_brokers):
    frozen, live = two_brokers
    uri = f"{frozen.amqp_uri};{live.amqp_uri}"
    service = subprocess.Popen([sys.executable, "-W", "ignore", "-c", SERVICE, uri,
                                str(HEARTBEAT)], cwd=ROOT)
    client = RpcClient(uri, timeout=5.0, heartbeat=HEARTBEAT)
    try:
        assert answered(client, within=30) is not None, "the service never answered"
        frozen.freeze()
        seconds = answered(client, within=3 * frozen_node_bound(HEARTBEAT))
        print(f"answered {seconds} s after the freeze; bound {frozen_node_bound(HEARTBEAT)} s")
        assert seconds is not None and seconds <= frozen_node_bound(HEARTBEAT), seconds
    finally:
        service.kill()
        service.wait()
