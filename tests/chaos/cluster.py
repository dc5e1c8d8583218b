"""Three private RabbitMQ nodes clustered on this machine, for the cluster chaos run.

Each node is a PrivateBroker (its own name, AMQP and distribution ports, data folder) under
one temporary directory; nodes 2 and 3 join node 1. ``kill``, ``freeze``/``thaw`` and
``revive`` act on one node's Erlang VM by pid, as a crashed or stalled host would, while the
others keep serving. The AMQP URI lists every node in kombu's failover form.
"""
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.chaos.infra import PrivateBroker

NODES = 3


class ClusterNode(PrivateBroker):
    def __init__(self, base, index):
        super().__init__(Path(base) / f"node{index}")
        self.index = index

    @property
    def pid(self):
        return int((self.base / "pid").read_text().strip())

    def kill(self):
        """kill -9 of the node's VM: no goodbye to its peers or its clients."""
        os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            os.waitpid(self.pid, 0)

    frozen = False

    def freeze(self):
        os.kill(self.pid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self):
        os.kill(self.pid, signal.SIGCONT)
        self.frozen = False

    def revive(self):
        """Start the killed node again on its own data (it rejoins the cluster by itself)."""
        (self.base / "pid").unlink(missing_ok=True)
        self.launch()  # with the broker's open-files limit, as at its first start
        self.ctl("wait", str(self.base / "pid"), "--timeout", "90", timeout=120)

    def start(self):
        # Path(base)/"rabbitmq" in PrivateBroker: this node's folder is node<i>/rabbitmq
        self.base.parent.mkdir(parents=True, exist_ok=True)
        super().start()


class PrivateCluster:
    def __init__(self, base, nodes=NODES):
        self.nodes = [ClusterNode(base, i + 1) for i in range(nodes)]

    @property
    def node(self):  # how the run's log names its broker
        return "cluster of " + ", ".join(n.node for n in self.nodes)

    @property
    def port(self):
        return "/".join(str(n.port) for n in self.nodes)

    def rotated_uri(self, start):
        """Every node, starting from node ``start``: replicas spread over the nodes."""
        order = self.nodes[start % len(self.nodes):] + self.nodes[:start % len(self.nodes)]
        return ";".join(node.amqp_uri for node in order)

    def live(self):
        return next(n for n in self.nodes if _alive(n) and not n.frozen)

    def ctl(self, *args, timeout=60):
        """rabbitmqctl on a node that answers (a killed or frozen one does not)."""
        return self.live().ctl(*args, timeout=timeout)

    @property
    def amqp_uri(self):
        """Every node, kombu's failover form: a client moves to the next one by itself."""
        return ";".join(node.amqp_uri for node in self.nodes)

    def start(self):
        first, *rest = self.nodes
        first.start()
        for node in rest:
            node.start()
            node.stop_app()
            node.ctl("join_cluster", first.node, timeout=120)
            node.start_app()
        self.wait_running(len(self.nodes))

    def running_nodes(self, via=None):
        via = via or self.live()
        out = via.ctl("eval", "rabbit_nodes:all_running().").stdout
        return [n.node for n in self.nodes if f"'{n.node}'" in out or n.node in out]

    def wait_running(self, count, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if len(self.running_nodes()) >= count:
                    return
            time.sleep(1)
        raise RuntimeError(f"the cluster did not reach {count} running nodes")

    def queue_leaders(self):
        """``{queue name: leader node}`` of every quorum queue (from a live node)."""
        out = self.ctl("list_queues", "name", "type", "leader", timeout=60).stdout
        leaders = {}
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[1] == "quorum":
                leaders[parts[0]] = parts[2]
        return leaders

    def busiest_leader(self):
        """The node that leads the most quorum queues (the one whose loss hurts most)."""
        counts = {}
        for leader in self.queue_leaders().values():
            counts[leader] = counts.get(leader, 0) + 1
        name = max(counts, key=counts.get) if counts else self.nodes[0].node
        return next(n for n in self.nodes if n.node == name)

    def rebalance(self):
        via = self.live()
        subprocess.run(["rabbitmq-queues", "-n", via.node, "-q", "rebalance", "quorum"],
                       check=True, timeout=120, capture_output=True, env=via._env())

    def stop(self):
        for node in self.nodes:
            with contextlib.suppress(Exception):
                node.thaw()
            node.stop()


def _alive(node):
    try:
        os.kill(node.pid, 0)
        return True
    except (OSError, ValueError, FileNotFoundError):
        return False


@contextlib.contextmanager
def private_cluster(keep=False):
    tmp = Path(tempfile.mkdtemp(prefix="bizportal-cluster-"))
    os.chmod(tmp, 0o755)
    cluster = PrivateCluster(tmp)
    try:
        cluster.start()
        yield cluster, tmp
    finally:
        cluster.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def private_cluster_infra(keep=False):
    """Yields ``(cluster, postgres, tmp_dir)``, as infra.private_infra yields its broker."""
    from tests.chaos.infra import PrivatePostgres
    with private_cluster(keep=True) as (cluster, tmp):
        postgres = PrivatePostgres(tmp)
        try:
            postgres.start()
            yield cluster, postgres, tmp
        finally:
            postgres.stop()
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
