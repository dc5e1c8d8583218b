"""One chaos run: private broker and database, the whole system, load, faults, quiet,
invariants. ``run(...)`` returns a Result; the short test and the long runner both use it."""
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.contracts.names import SERVICES
from services.payments.recovery import IN_FLIGHT_GRACE
from tests.chaos import faults as faults_mod
from tests.chaos import invariants
from tests.chaos import cluster_faults
from tests.chaos.cluster import private_cluster_infra
from tests.chaos.infra import private_infra
from tests.chaos.load import Load
from tests.support.system import System

QUIET_LIMIT = 180  # seconds for queues and outboxes to drain once the load stops


@dataclass
class Result:
    rows: list = field(default_factory=list)
    heal: list = field(default_factory=list)
    ops: int = 0
    ops_per_second: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self):
        return all(ok for _, ok, _ in self.rows)

    def report(self):
        lines = [invariants.table(self.rows), "",
                 f"operations: {self.ops} in {self.seconds:.0f} s of load = "
                 f"{self.ops_per_second:.1f} ops/s", "time to heal per fault:"]
        lines += [f"  {name:34} {f'{s:.1f} s' if s is not None else 'NOT HEALED'}"
                  for name, s in self.heal]
        return "\n".join(lines)


def queues_idle(broker):
    """True when no event queue holds a message (retry queues included). Reply queues left
    by killed callers, the test's event capture queue and the event streams (history kept on
    purpose) are not work."""
    out = broker.ctl("list_queues", "name", "type", "messages", "messages_unacknowledged").stdout
    counts = [line.split("\t") for line in out.splitlines() if line.count("\t") == 3]
    return all(int(ready) == 0 and int(unacked) == 0 for name, kind, ready, unacked in counts
               if ready.isdigit() and unacked.isdigit() and kind != "stream"  # kept history
               and not name.startswith(("rpc.reply-", "tests.")))


def settle(system, broker, load, log):
    """Let the system finish what the load started: payment runs until nothing is left to
    charge or settle, then wait for every queue and outbox to drain."""
    last = max(load.last_due_date(), date.today())
    for run_date in (last, last + timedelta(days=1), last + timedelta(days=2)):
        if run_date == last + timedelta(days=1) and _interrupted(system):
            # a charge cut short by a kill is recovered once it is IN_FLIGHT_GRACE old
            time.sleep(IN_FLIGHT_GRACE.total_seconds() + 1)
        response = load.payment_run(run_date)
        log(f"  payment run {run_date}: {response.json() if response is not None else 'gave up'}")
    deadline = time.monotonic() + QUIET_LIMIT
    while time.monotonic() < deadline:
        snap = invariants.Snapshot(system)
        unsent = sum(rows["unsent"] for rows in snap.rows.values())
        pending_mail = _pending_mail(system)
        if unsent == 0 and pending_mail == 0 and queues_idle(broker):
            time.sleep(2)  # a handler may be mid-flight between ack and commit
            if queues_idle(broker):
                return True
        time.sleep(1)
    return False


def _interrupted(system):
    """Charges and refunds cut short by a kill (the payment run finishes both)."""
    return _count(system, "PAYMENTS", "SELECT count(*) FROM payments WHERE status = 'pending' "
                                      "AND processor_ref IS NULL") + \
        _count(system, "PAYMENTS", "SELECT count(*) FROM refunds WHERE status = 'pending'")


def _pending_mail(system):
    return _count(system, "NOTIFICATIONS", "SELECT count(*) FROM messages "
                                           "WHERE status = 'pending'")


def _count(system, service, sql):
    from sqlalchemy import create_engine, text
    from services.runtime.database import engine_url
    engine = create_engine(engine_url(system.env[f"{service}_DATABASE_URL"]))
    with engine.connect() as conn:
        n = conn.execute(text(sql)).scalar()
    engine.dispose()
    return n


def heals_without_gateway_restart(system, load, master_pid):
    prober = faults_mod.Prober(load)
    parts = ("identity", "billing", "payments", "notifications", "gateway")
    failing = [p for p in parts if not prober.ok(p)]
    same = system.processes["gateway"].pid == master_pid \
        and system.processes["gateway"].poll() is None
    return ("the system heals without restarting the gateway", same and not failing,
            f"gateway master pid {master_pid} {'unchanged' if same else 'CHANGED'}; "
            f"parts answering after the faults: {len(parts) - len(failing)}/{len(parts)}"
            + (f" (failing: {failing})" if failing else ""))


def secrets_row(system):
    """The secret scan (tests/support/secret_scan.py) over the run's databases, DATA_DIR (logs,
    Maildir, print batch, the processor's journal) and every event the capture queue took."""
    from tests.support.secret_collector import KNOWN
    from tests.support.secret_scan import scan_running
    findings = scan_running(system, KNOWN)
    return ("zero secrets found (databases, logs, Maildir, print batch, events)", not findings,
            findings.summary() + ("; " + "; ".join(map(str, findings[:3])) if findings else ""))


def run(min_ops, faults, accounts=8, threads=6, log=print, keep=False, scan=True,
        cluster=False):
    """``cluster``: three RabbitMQ nodes and two replicas of every service, each replica
    listing the nodes from a different one; ``faults`` may then be a callable of the load
    answering ``(faults, rolling_restart)`` (tests/chaos/cluster_faults.py)."""
    from tests.support.secret_collector import install
    install()  # every secret the load sends or receives is known to the scan
    result = Result()
    infra = private_cluster_infra if cluster else private_infra
    with infra(keep=keep) as (broker, postgres, tmp):
        databases = {s: postgres.create_database(f"chaos_{s}") for s in SERVICES}
        system = System(broker.amqp_uri, databases, tmp / "system", replicas=2 if cluster else 1)
        if cluster:
            for i, name in enumerate(system.commands()):
                system.process_env[name] = {"AMQP_URI": broker.rotated_uri(i)}
        log(f"private broker {broker.node} :{broker.port}, PostgreSQL :{postgres.port}, "
            f"data in {tmp}")
        system.migrate()
        system.start()
        try:
            system.wait_ready(timeout=120)
            master = system.processes["gateway"].pid
            load = Load(system, threads=threads)
            load.set_up(accounts)
            log(f"{accounts} customers set up; load with {threads} threads")
            load.start()
            restart = None
            if callable(faults):
                faults, restart = faults(load)
            result.heal = faults_mod.inject_all(faults, system, broker, postgres, load, log=log)
            while load.record.ops < min_ops:
                time.sleep(0.5)
            load.finish()
            result.ops, result.ops_per_second = load.record.ops, load.ops_per_second()
            result.seconds = load.ended - load.started
            log(f"load done: {result.ops} operations; settling")
            quiet = settle(system, broker, load, log)
            emails = {c.account_number: c.email for c in load.customers}
            extra = [heals_without_gateway_restart(system, load, master),
                     ("the system goes quiet (queues and outboxes drain)", quiet,
                      f"within {QUIET_LIMIT} s" if quiet else "still busy"),
                     ("every fault healed", all(s is not None for _, s in result.heal),
                      f"{len(result.heal)} faults")]
            if cluster:
                extra += [row for row in (cluster_faults.consumption_row(result.heal),
                                          cluster_faults.freeze_row(result.heal)) if row]
                if restart is not None:
                    extra.append(restart.row())
            if load.record.given_up:
                extra.append(("no client gave up on a payment", False,
                              f"{len(load.record.given_up)} keys"))
            if scan:
                extra.append(secrets_row(system))
            result.rows = invariants.check(system, load.record, emails, extra)
            errors = sum(load.record.connection_errors.values())
            log(f"dropped connections / client timeouts (retried): {errors} "
                f"{dict(load.record.connection_errors) if errors else ''}")
        finally:
            system.stop_all()
    return result
