"""The long chaos run (make chaos; --cluster for make chaos-cluster): at least 1,000
operations, every fault, twice over.
Prints the invariant table, ops/s and time to heal; exits non-zero on any violation."""
import argparse
import signal
import sys

from tests.chaos import faults
from tests.chaos.cluster_faults import every_cluster_fault
from tests.chaos.run import run


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.chaos")
    parser.add_argument("--ops", type=int, default=1200, help="operations at least")
    parser.add_argument("--rounds", type=int, default=2, help="times every fault is injected")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory")
    parser.add_argument("--cluster", action="store_true",
                        help="three RabbitMQ nodes, two replicas of every service, node faults")
    args = parser.parse_args(argv)
    # `timeout` and CI stop with SIGTERM: exit through the clean-up of the private servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.cluster:
        def cluster_faults(load):
            every, restart = every_cluster_fault(load)
            return every * args.rounds, restart
        result = run(args.ops, cluster_faults, keep=args.keep, cluster=True)
    else:
        result = run(args.ops, faults.every_fault() * args.rounds, keep=args.keep)
    print(result.report())
    print("chaos: " + ("every invariant holds" if result.ok else "VIOLATIONS above"))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
