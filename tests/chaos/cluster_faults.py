"""The faults of the cluster chaos run, on three RabbitMQ nodes (tests/chaos/cluster.py).

* the node that leads the most quorum queues is killed with -9; its time to heal is the
  time until events flow again (a card payment reaches the ledger): consumption resumed;
* it comes back and the queue leaders are rebalanced;
* a node is frozen with SIGSTOP for FREEZE_SECONDS (a stalled host: its TCP connections stay
  open, so only the AMQP heartbeat tells its clients to leave);
* a rolling restart: each service process stopped (SIGTERM) and started again, one replica
  at a time, waiting for it to consume again before the next; no request may fail meanwhile.
"""
import threading
import time

from services.contracts.names import SERVICES
from services.runtime.heartbeats import DEFAULT_HEARTBEAT, FROZEN_NODE_BOUND
from tests.chaos.faults import Fault

CONSUMPTION_BOUND = 10.0  # seconds from a node's loss to events flowing again
FREEZE_SECONDS = 30
# seconds for the system to answer again around a frozen node: what the heartbeat promises
# (services/runtime/heartbeats.py: 3 x HEARTBEAT + a connect timeout = 20 s at 5 s)
FREEZE_BOUND = float(FROZEN_NODE_BOUND)


def lose_busiest_node(system, cluster, _postgres):
    victim = cluster.busiest_leader()
    victim.kill()
    cluster.lost = victim


def lost_node_returns(_system, cluster, _postgres):
    cluster.lost.revive()
    cluster.wait_running(len(cluster.nodes))
    cluster.rebalance()


def freeze_a_node(_system, cluster, _postgres):
    victim = cluster.busiest_leader()
    victim.freeze()
    timer = threading.Timer(FREEZE_SECONDS, victim.thaw)
    timer.daemon = True
    timer.start()
    cluster.thawing = timer


def consumers(cluster, queue):
    out = cluster.ctl("list_queues", "name", "consumers").stdout
    for line in out.splitlines():
        name, _, count = line.partition("\t")
        if name == queue and count.isdigit():
            return int(count)
    return 0


class RollingRestart:
    """Every service process in turn; counts the load's failed requests meanwhile."""

    def __init__(self, load):
        self.load = load
        self.failed = None

    def _failures(self):
        record = self.load.record
        with record.lock:
            errors = sum(record.connection_errors.values())
            server = sum(n for (_kind, status), n in record.statuses.items() if status >= 500)
        return errors + server

    def __call__(self, system, cluster, _postgres):
        thawing = getattr(cluster, "thawing", None)
        if thawing:
            thawing.join()  # one fault at a time: the frozen node is back first
        before = self._failures()
        for service in SERVICES:
            names = [n for n in list(system.processes) if n.split(".")[0] == service]
            for name in names:
                system.stop(name)  # SIGTERM: nameko finishes its workers first
                system.start(name)
                deadline = time.monotonic() + 60
                while consumers(cluster, f"rpc-{service}") < len(names):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{name} does not consume after its restart")
                    time.sleep(0.2)
        self.failed = (self.failed or 0) + self._failures() - before  # over every round

    def row(self):
        return ("0 failed requests through a rolling restart", self.failed == 0,
                f"{self.failed} requests failed (5xx or dropped) while every replica restarted")


def every_cluster_fault(load, freeze=True):
    """``freeze=False`` leaves out the frozen node: its bound is not met yet (docs/queues.md,
    the broker elects no new leader before net_ticktime), so only make chaos-cluster runs it."""
    restart = RollingRestart(load)
    faults = [Fault("kill -9 the node leading most queues", "events", lose_busiest_node),
              Fault("the lost node returns, leaders rebalanced", "broker", lost_node_returns),
              Fault(f"SIGSTOP a node for {FREEZE_SECONDS} s", "broker", freeze_a_node),
              Fault("rolling restart of every service", "broker", restart,
                    heal_from_end=True)]
    return [f for f in faults if freeze or not f.name.startswith("SIGSTOP")], restart


def freeze_row(heal):
    """The frozen-node row, or None when the run froze no node."""
    if not any(name.startswith("SIGSTOP") for name, _ in heal):
        return None
    seconds = next((s for name, s in heal if name.startswith("SIGSTOP")), None)
    return ((f"the system answers within {FREEZE_BOUND:.0f} s of a node freezing "
             f"(HEARTBEAT {DEFAULT_HEARTBEAT} s)"),
            seconds is not None and seconds <= FREEZE_BOUND,
            f"{seconds:.2f} s" if seconds is not None else "not while frozen")


def consumption_row(heal):
    seconds = next((s for name, s in heal if name.startswith("kill -9 the node")), None)
    return (f"consumption resumed within {CONSUMPTION_BOUND:.0f} s of the node loss",
            seconds is not None and seconds <= CONSUMPTION_BOUND,
            f"events flowed again {seconds:.2f} s after kill -9" if seconds is not None
            else "never")
