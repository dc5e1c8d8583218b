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
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.support import DEFAULT_AMQP, PASSWORD, Portal, Vhost  # noqa: E402
from services.identity.passwords import PARAMETERS, hasher  # noqa: E402


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
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    clients = 2 * cores

    vhost = Vhost(args.amqp_uri)
    vhost.create()
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-login-"))
    portal = Portal(vhost.amqp_uri, data_dir, workers=max(2, cores),
                    services=("identity", "billing"))
    try:
        portal.start()
        usernames = [portal.new_user(i)[0] for i in range(clients)]
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
            before = [cpu_seconds(pid) for pid in portal.pids()] + [time.process_time()]
            started = time.monotonic()
            portal_rates.append(run_for(args.seconds, clients, sign_in))
            signed_ins += portal_rates[-1] * (time.monotonic() - started)
            after = [cpu_seconds(pid) for pid in portal.pids()] + [time.process_time()]
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
