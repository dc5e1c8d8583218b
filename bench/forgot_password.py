"""Forgot-password answer time for usernames that exist vs usernames that do not.

Issue 11 point 7: the answer must not tell a stranger whether a username exists, by its
status or by its time. identity reserves the allowance (the same rows for any typed name)
and answers; the lookup, the reset token and the mail happen after the answer. This bench
asks for known and unknown usernames in alternation, each from a fresh 127.x.y.z (so the
per-address allowance never answers 429), and prints the median and 90th percentile of each
and their ratio: 1.00 means the time says nothing. identity, billing, notifications and the
gunicorn gateway run as real processes on SQLite in a throwaway DATA_DIR and vhost
(bench/support.py). The tests never time anything; they check the work done instead
(tests/service/test_identity_abuse.py).
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.support import DEFAULT_AMQP, Portal, Vhost  # noqa: E402

PER_USER = 5  # the per-username allowance of reset links an hour (throttle.QUOTAS)


def ask(port, username, index):
    source = f"127.{1 + index // 250 % 250}.{1 + index % 250}.7"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                            source_address=(source, 0))
    connection.connect()  # outside the measurement: both sides pay it alike
    started = time.perf_counter()
    connection.request("POST", "/api/v1/auth/forgot-password", json.dumps(
        {"username": username}), {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 202:
        raise RuntimeError(f"{username}: {response.status}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI") or DEFAULT_AMQP)
    args = parser.parse_args()
    vhost = Vhost(args.amqp_uri)
    vhost.create()
    data_dir = Path(tempfile.mkdtemp(prefix="bizportal-bench-forgot-"))
    portal = Portal(vhost.amqp_uri, data_dir, workers=2,
                    services=("identity", "billing", "notifications"))
    try:
        portal.start()
        usernames = [portal.new_user(i)[0] for i in range(args.users)]
        known, unknown, index = [], [], 0
        for round_ in range(PER_USER):
            for n, username in enumerate(usernames):
                # alternate which goes first, so drift falls on both alike
                pair = [("known", username), ("unknown", f"nobody.user.{n}")]
                for kind, name in (pair if (round_ + n) % 2 else pair[::-1]):
                    index += 1
                    (known if kind == "known" else unknown).append(ask(portal.port, name, index))
        for name, samples in (("known usernames", known), ("unknown usernames", unknown)):
            ordered = sorted(samples)
            print(f"{name:18} n={len(samples):4}  median {statistics.median(samples) * 1000:6.2f} ms"
                  f"  p90 {ordered[int(len(ordered) * 0.9)] * 1000:6.2f} ms"
                  f"  mean {statistics.mean(samples) * 1000:6.2f} ms")
        print(f"ratio known/unknown median: "
              f"{statistics.median(known) / statistics.median(unknown):.2f}")
    finally:
        portal.stop()
        vhost.delete()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
