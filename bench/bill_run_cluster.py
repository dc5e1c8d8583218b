"""The bill run with two billing replicas on a 3-node RabbitMQ cluster, as a ratio against
one replica on a single node in the same run.

bench/bill_run.py times ``bill_runs.run`` alone; this times the bill run as the system does
it: ``billing.issue_statements`` over RPC to real billing processes (``python -m
services.runtime.run billing`` through tests/support/system.py, every queue from migrate, so quorum),
whose outbox relays publish each ``statement_issued`` event with confirms to the handlers'
quorum queues, replicated to every node on the cluster.

* baseline: 1 billing process on a private single node (tests/chaos/infra.py PrivateBroker),
  one ``issue_statements`` call;
* cluster: 2 billing processes on a private 3-node cluster (tests/chaos/cluster.py), each
  listing the nodes from a different one as the cluster chaos run does (tests/chaos/run.py),
  and two ``issue_statements`` calls at once (the RPC queue hands one to each replica); the
  replicas claim disjoint batches (SKIP LOCKED).

Both systems stay up and their runs alternate for ``--rounds`` rounds (best kept: other work on
a shared machine only slows a run down). Each has its own copy of the same seeded billing
database (``--accounts`` paperless accounts x 3 services x ``--calls`` calls, PostgreSQL as
bench/bill_run.py finds it); statements, ledger, outbox and queues (not the event stream:
it cannot be purged) are emptied between rounds. Only billing runs: the other services' handler queues exist (migrate) and fill, as
they would while those services are busy; their consumers' work is not the bill run's.
Prints statements/s to the end of the RPCs ("issued") and to the last event's publish
("published"), and the ratios. Run by `make bench`; `--accounts 2000` for a quick look.
"""
import argparse
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.bill_run import RESET, SEED, STATEMENT_DATE, check  # noqa: E402
from services.contracts.names import BILLING, SERVICES  # noqa: E402
from services.runtime.database import engine_url  # noqa: E402

# paperless: a paper statement's event makes billing render its PDF, not the bill run's work
DELIVERY = "paperless"


def seed_databases(postgres, args):
    """Two identical sets of databases: ``[{service: url}, {service: url}]`` and their names."""
    from services.runtime.migrations import upgrade
    names, first = [], {}
    for service in SERVICES:
        name, first[service] = postgres.create_database(prefix=f"bench_cluster_{service}")
        names.append(name)
    upgrade(BILLING, first[BILLING])
    engine = create_engine(engine_url(first[BILLING]))
    started = time.perf_counter()
    with engine.begin() as conn:
        for sql in SEED:
            conn.execute(text(sql), {"n": args.accounts, "calls": args.calls,
                                     "delivery": DELIVERY})
    engine.dispose()
    print(f"seeded {args.accounts} paperless accounts x 3 services x {args.calls} calls "
          f"in {time.perf_counter() - started:.1f} s")
    second = {}
    for service in SERVICES:
        template = names[SERVICES.index(service)] if service == BILLING else None
        name, second[service] = postgres.create_database(
            prefix=f"bench_cluster_{service}", template=template)
        names.append(name)
    return [first, second], names


class Variant:
    def __init__(self, label, system, broker, calls):
        self.label, self.system, self.broker, self.calls = label, system, broker, calls
        self.engine = create_engine(engine_url(system.env["BILLING_DATABASE_URL"]))
        self.best = None

    def start(self):
        # not System.events' capture queue: a copy of every event on node 1 is no system's
        self.system._events_declared = True
        self.system.migrate()
        for name in self.system.commands():
            if name.split(".")[0] == BILLING:
                self.system.start(name)
        deadline = time.monotonic() + 90
        while self.consumers("rpc-billing") < self.system.replicas:
            for name, process in self.system.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: see {self.system.logs / name}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.label}: billing did not start")
            time.sleep(0.5)

    def consumers(self, queue):
        out = self.broker.ctl("list_queues", "name", "consumers").stdout
        counts = dict(line.split("\t") for line in out.splitlines() if line.count("\t") == 1)
        return int(counts.get(queue, 0))

    def reset(self):
        with self.engine.begin() as conn:
            conn.execute(text(RESET))
        with self.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        out = self.broker.ctl("list_queues", "name", "type", "messages").stdout
        for name, kind, messages in (line.split("\t") for line in out.splitlines()
                                     if line.count("\t") == 2):
            # an event stream keeps its history on purpose and cannot be purged
            if kind != "stream" and messages.isdigit() and int(messages):
                self.broker.ctl("purge_queue", name)

    def served(self):
        """``{process: issue_statements calls it has run}``, from its one line per entrypoint
        run (services/runtime/context.py)."""
        return {name: self.system.log_text(name).count('"issue_statements ')
                for name in self.system.processes}

    def unsent(self):
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar()

    def run(self, accounts):
        """One bill run: (issued, seconds to the last RPC's answer, seconds to the last
        event's publish, statements per call)."""
        from gateway.rpc import RpcClient
        self.reset()
        served_before = self.served()
        clients = [RpcClient(self.system.env["AMQP_URI"], timeout=900) for _ in range(self.calls)]
        answers, go = [None] * self.calls, threading.Barrier(self.calls + 1)

        def call(i):
            go.wait()
            answers[i] = clients[i].call(BILLING, "issue_statements",
                                         {"statement_date": STATEMENT_DATE.isoformat()},
                                         request_id=uuid.uuid4().hex)
            answers[i]["ended"] = time.perf_counter()

        threads = [threading.Thread(target=call, args=(i,)) for i in range(self.calls)]
        for thread in threads:
            thread.start()
        go.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        for client in clients:
            client._discard()
        if None in answers:
            raise RuntimeError(f"{self.label}: an issue_statements call failed")
        issued_at = max(a["ended"] for a in answers) - started
        deadline = time.monotonic() + 600
        while self.unsent():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.label}: the outbox did not drain")
            time.sleep(0.1)
        published_at = time.perf_counter() - started
        events = check(self.engine, accounts)
        if events != accounts:
            raise RuntimeError(f"{events} statement_issued events for {accounts} accounts")
        split = [a["statements_issued"] for a in answers]
        served = {name: n - served_before[name] for name, n in self.served().items()}
        if sorted(served.values()) != [1] * self.calls:
            raise RuntimeError(f"{self.label}: the calls were not one per replica: {served}")
        result = (sum(split), issued_at, published_at, split)
        if self.best is None or published_at < self.best[2]:
            self.best = result
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=100, help="calls per account")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (best kept)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` cleans up
    from tests.chaos.cluster import private_cluster
    from tests.chaos.infra import PrivateBroker
    from tests.support.infra import find_postgres
    from tests.support.system import System
    postgres = find_postgres()
    tmp = Path(tempfile.mkdtemp(prefix="bizportal-bench-cluster-"))
    tmp.chmod(0o755)
    broker, variants, names = PrivateBroker(tmp / "single"), [], []
    try:
        (single_dbs, cluster_dbs), names = seed_databases(postgres, args)
        broker.start()
        with private_cluster() as (cluster, _):
            single = System(broker.amqp_uri, single_dbs, tmp / "single-system", replicas=1)
            double = System(cluster.amqp_uri, cluster_dbs, tmp / "cluster-system", replicas=2)
            for i, name in enumerate(double.commands()):  # as tests/chaos/run.py spreads them
                double.process_env[name] = {"AMQP_URI": cluster.rotated_uri(i)}
            variants = [Variant("1 replica, 1 node", single, broker, 1),
                        Variant("2 replicas, 3-node cluster", double, cluster, 2)]
            for variant in variants:
                variant.start()
            for _ in range(args.rounds):
                for variant in variants:
                    variant.run(args.accounts)
            for variant in variants:
                variant.system.stop_all()
    finally:
        for variant in variants:
            variant.system.stop_all()
            variant.engine.dispose()
        broker.stop()
        for name in names:
            postgres.drop_database(name)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"issue_statements for {STATEMENT_DATE}, best of {args.rounds} interleaved rounds")
    for variant in variants:
        issued, issued_at, published_at, split = variant.best
        print(f"  {variant.label:<28} issued {issued / issued_at:7.0f} statements/s "
              f"({issued_at:5.1f} s), published {issued / published_at:7.0f} statements/s "
              f"({published_at:5.1f} s), split {split}")
    (_, i1, p1, _), (_, i2, p2, _) = (v.best for v in variants)
    print(f"ratio cluster_2_replicas/single_1_replica statements per second, issued: "
          f"{i1 / i2:.2f}")
    print(f"ratio cluster_2_replicas/single_1_replica statements per second, published: "
          f"{p1 / p2:.2f}")


if __name__ == "__main__":
    main()
