"""What `make run` does before and after starting the processes.

``python -m services.bootstrap``: checks the broker (fails at once, saying how to start it),
migrates every service's database, declares the queues, seeds the demo account into an empty
data folder, and prints how to reach the system.
``python -m services.bootstrap --announce``: waits for /readyz, prints the same banner, and
stays up (it is one of the Procfile's processes, so honcho keeps running).
"""
import json
import os
import signal
import sys
import time
import urllib.request

from services.runtime import amqp_uri, config as config_mod
from services.runtime.migrate import migrate
from services.runtime.queue_migration import QueueInUse
from services.contracts.names import SERVICES

BROKER_HELP = """\
RabbitMQ is not reachable at {uri}.
Start it, then run this again:
  Debian/Ubuntu:  sudo apt-get install rabbitmq-server && sudo rabbitmq-server -detached
  macOS:          brew services start rabbitmq
  Docker:         docker run -d --name rabbitmq -p 127.0.0.1:5672:5672 rabbitmq:3
or point AMQP_URI at a broker you have."""


def check_broker(uri):
    try:
        amqp_uri.connect(uri, connect_timeout=3).release()  # any one of its brokers will do
    except Exception:
        sys.exit(BROKER_HELP.format(uri=amqp_uri.mask(uri)))


def seed_demo(settings):
    """Seed the demo account once; its number and key are kept in DATA_DIR/demo.json."""
    path = settings.data_dir / "demo.json"
    if path.exists():
        return json.loads(path.read_text())
    from services.billing import demo
    from services.billing.models import metadata
    from services.runtime.database import standalone
    db = standalone("billing", settings.database_url("billing"), metadata)
    demo_account = demo.seed(db, settings.key_encryption_key or settings.secret_key)
    db.engine.dispose()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(demo_account, f)
    return demo_account


def staff_token_hint(settings):
    """The staff token masked (first four characters), and where to read it whole: it opens
    the staff API, and a banner ends up in scroll-back, screen shares and CI logs."""
    masked = settings.admin_token[:4] + "…"
    path = settings.data_dir / "admin_token"
    if path.exists() and path.read_text().strip() == settings.admin_token:
        return f"{masked}   (in full: cat {path})"
    return f"{masked}   (in full: the ADMIN_TOKEN you set)"


def banner(settings, demo, state="up"):
    url = settings.public_url
    return f"""
  BizPortal is {state}.
    Portal:          {url}/
    API docs:        {url}/docs   (OpenAPI: {url}/api/v1/openapi.json;
                     staff: {url}/internal/v1/openapi.json)
    Events:          {url}/api/v1/asyncapi.json   (streams: docs/streams.md)
    Readiness:       {url}/readyz   (metrics: http://127.0.0.1:{settings.metrics_port}/metrics)
    Demo account:    {demo['account_number']}
    Security key:    {demo['security_key']}
    Staff token:     {staff_token_hint(settings)}
                     (Authorization: Bearer <it> on /internal/v1)
    Mail (Maildir):  {settings.mail_dir}
"""


def announce(settings):
    """Wait until every service answers, then print the banner; stay up until stopped."""
    demo = json.loads((settings.data_dir / "demo.json").read_text())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/readyz", timeout=3) as r:
                if r.status == 200:
                    print(banner(settings, demo), flush=True)
                    break
        except Exception:
            time.sleep(1)
    else:
        print("BizPortal did not become ready within 2 minutes; see the logs above.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:  # DEV_SECRETS=1 from the Makefile: generated when unset; a weak one is refused
        settings = config_mod.load_for_process()
    except config_mod.SecretsRefused as exc:
        sys.exit(str(exc))
    if "--announce" in argv:
        return announce(settings)
    check_broker(settings.amqp_uri)
    for service in SERVICES:
        try:
            migrate(service, settings)
        except QueueInUse as exc:  # services of an older version still running
            sys.exit(f"{service}: {exc}")
    demo = seed_demo(settings)
    print(banner(settings, demo, state="starting: the banner is printed again once all is ready"),
          flush=True)


if __name__ == "__main__":
    main()
