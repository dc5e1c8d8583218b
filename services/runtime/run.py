"""Run one service in the foreground: ``python -m services.runtime.run billing``.

This is the process ops start, stop, restart and replicate: it runs nameko's ServiceRunner
(not ``nameko run``, whose CLI needs pkg_resources), logs JSON lines, and stops gracefully
on SIGTERM or Ctrl-C: in-flight workers finish, unacked messages go back to the broker.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # bugfix-mode notice
import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402 -- before anything imports socket or threading

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from services.contracts.names import SERVICES  # noqa: E402
from services.runtime import (config as config_mod, heartbeats, logs, replies,  # noqa: E402
                              topology)
from services.runtime.registry import service_class  # noqa: E402

log = logging.getLogger(__name__)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in SERVICES:
        sys.exit(f"usage: python -m services.runtime.run {{{'|'.join(SERVICES)}}}")
    name = argv[0]
    try:  # no service without a real SECRET_KEY (see services/runtime/config.py)
        settings = config_mod.load_for_process(needs=config_mod.SERVICE_SECRETS)
    except config_mod.SecretsRefused as exc:
        sys.exit(f"{name}: {exc}")
    logs.configure(name, settings.log_level)
    config = config_mod.nameko_config(name, settings)
    cls = service_class(name)
    try:  # migrate moves queues left by an older version; a service only declares
        topology.declare(cls, config, migrate_existing=False)
    except topology.QueueMismatch as exc:
        sys.exit(f"{name}: {exc}")
    replies.install()  # a reply lost to a broker restart must not stop the service
    heartbeats.install(settings.heartbeat)  # leave a frozen broker node within a bound

    runner = ServiceRunner(config)
    runner.add_service(cls)
    stopping = []

    def _stop(signum, _frame):
        if not stopping:
            stopping.append(signum)
            log.info("stopping on signal %s", signum)
            eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runner.start()
    log.info("%s service started", name)
    runner.wait()
    log.info("%s service stopped", name)


if __name__ == "__main__":
    main()
