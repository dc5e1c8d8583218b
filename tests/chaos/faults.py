"""The faults, each with a probe that says when the system has healed from it.

Time to heal is measured from the moment the fault is injected to the first successful request
that needs the faulted part: a killed service is started again at once (as a supervisor
would), so its time to heal is its start-up plus whatever the others need to notice it. The
gateway is never restarted: a killed worker is replaced by its gunicorn master.
"""
import os
import signal
import time
import uuid
from dataclasses import dataclass

import requests

HEAL_LIMIT = 120  # seconds: a part not healed by then is a violation


@dataclass
class Fault:
    name: str
    part: str          # what the probe needs: a service, "broker", "database", "gateway", "events"
    inject: object     # callable(system, broker, postgres)
    heal_from_end: bool = False  # a long fault (a rolling restart): heal counts once it ends


def gateway_workers(system):
    """The pids of the gunicorn master's workers (its children)."""
    master = system.processes["gateway"].pid
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master and fields[0] != "Z":  # a zombie is already dead
                children.append(int(entry))
    return sorted(children)


def kill_service(name):
    def inject(system, _broker, _postgres):
        system.stop(name, sig=signal.SIGKILL)
        system.start(name)
    return Fault(f"kill -9 {name}", name, inject)


def restart_broker(_system, broker, _postgres):
    broker.stop_app()
    time.sleep(2)  # an outage long enough for every client to notice
    broker.start_app()


def restart_database(_system, _broker, postgres):
    postgres.restart()


def kill_gateway_worker(system, _broker, _postgres):
    victim = gateway_workers(system)[0]
    os.kill(victim, signal.SIGKILL)
    while victim in gateway_workers(system):
        time.sleep(0.02)


def every_fault():
    return ([kill_service(name) for name in ("identity", "billing", "payments", "notifications")]
            + [Fault("rabbitmqctl stop_app/start_app", "broker", restart_broker),
               Fault("PostgreSQL restart (fast)", "database", restart_database),
               Fault("kill -9 a gateway worker", "gateway", kill_gateway_worker)])


class Prober:
    """The requests that need each part, signed in as one load customer."""

    def __init__(self, load):
        self.load = load
        self.customer = load.customers[0]

    def _get(self, path):
        return self.load.api(self.customer, "GET", path)

    def ok(self, part):
        number = self.customer.account_number
        try:
            if part == "identity":
                return self.load.sign_in(self.customer, kind="probe").status_code == 200
            if part == "billing":
                return self._get(f"/api/v1/accounts/{number}/statements").status_code == 200
            if part == "payments":
                return self._get(f"/api/v1/accounts/{number}/payments").status_code == 200
            if part == "notifications":
                return self._get("/api/v1/me/notifications").status_code == 200
            if part in ("broker", "database"):
                return (self.load.sign_in(self.customer, kind="probe").status_code == 200
                        and self._get(f"/api/v1/accounts/{number}/summary").status_code == 200
                        and self._get(f"/api/v1/accounts/{number}/payments").status_code == 200)
            if part == "events":
                return self.events_flow()
            if part == "gateway":
                return (len(gateway_workers(self.load.system)) >= 2 and requests.get(
                    self.load.system.url("/readyz"), timeout=5).status_code == 200)
        except requests.RequestException:
            return False
        raise ValueError(part)

    def events_flow(self, wait=1.0):
        """Events flow: one of the card payments this probe made (each of a unique amount)
        has reached the ledger, which only payments' event consumed by billing does. Each
        call pays once more, so the first moment consumption resumes is seen within ``wait``."""
        customer, number = self.customer, self.customer.account_number
        self.amount = getattr(self, "amount", 2900) + 1  # above the load's 100-2500
        self.pending = getattr(self, "pending", set())
        with customer.lock:
            paid = self.load.api(customer, "POST", f"/api/v1/accounts/{number}/payments",
                                 json={"amount_cents": self.amount,
                                       "payment_method_id": customer.methods["card"]},
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
        if paid.status_code == 201:
            self.pending.add(self.amount)
        deadline = time.monotonic() + wait
        while self.pending and time.monotonic() < deadline:
            activity = self._get(f"/api/v1/accounts/{number}/activity?limit=100")
            if activity.status_code == 200 and {
                    abs(item["amount_cents"]) for item in activity.json()["items"]
                    if item["kind"] == "payment"} & self.pending:
                self.pending.clear()
                return True
            time.sleep(0.1)
        return False

    def heal_time(self, part, since):
        """Seconds from ``since`` to the first successful probe of ``part`` (None: not healed
        within HEAL_LIMIT)."""
        while time.monotonic() - since < HEAL_LIMIT:
            if self.ok(part):
                return time.monotonic() - since
            time.sleep(0.1)
        return None


def inject_all(faults, system, broker, postgres, load, settle=4.0, log=print):
    """Inject each fault in turn under the running load; returns ``[(name, heal seconds)]``."""
    prober = Prober(load)
    healed = []
    for fault in faults:
        time.sleep(settle)
        started = time.monotonic()
        fault.inject(system, broker, postgres)
        seconds = prober.heal_time(fault.part,
                                   time.monotonic() if fault.heal_from_end else started)
        log(f"  {fault.name}: healed in {seconds:.1f} s" if seconds is not None
            else f"  {fault.name}: NOT healed within {HEAL_LIMIT} s")
        healed.append((fault.name, seconds))
    return healed
