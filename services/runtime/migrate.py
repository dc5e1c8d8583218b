"""Prepare one service's database and broker topology:
``python -m services.runtime.migrate billing [identity ...]`` (no names: all four).

Applies the service's Alembic migrations (under a PostgreSQL advisory lock, so replicas
starting together take turns) and declares its event queues. Idempotent: ops run it before
every start, Kubernetes as an init container.
"""
import sys
import zlib
from pathlib import Path

from sqlalchemy import text

from services.contracts.names import SERVICES
from services.runtime import config as config_mod, migrations, streams, topology
from services.runtime import queue_migration
from services.runtime.registry import service_class
from services.runtime.database import make_engine


def migrate(service, settings=None, declare_queues=True):
    settings = settings or config_mod.load()
    url = settings.database_url(service)
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(service, url)
    else:
        engine = make_engine(url)
        lock_id = zlib.crc32(f"bizportal-migrate-{service}".encode())
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
            try:
                migrations.upgrade(service, url)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
        engine.dispose()
    if declare_queues:
        topology.declare(service_class(service), config_mod.nameko_config(service, settings))
        streams.declare(service, config_mod.nameko_config(service, settings), settings)


def main(argv=None):
    names = (sys.argv[1:] if argv is None else argv) or list(SERVICES)
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        sys.exit(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    try:  # identity's migrations seal with SECRET_KEY: never with a made-up one
        settings = config_mod.load_for_process(needs=config_mod.SERVICE_SECRETS)
    except config_mod.SecretsRefused as exc:
        sys.exit(f"migrate: {exc}")
    for name in names:
        try:
            migrate(name, settings)
        except queue_migration.QueueInUse as exc:  # an old process still consumes a queue
            sys.exit(f"migrate {name}: {exc}")
        print(f"{name}: database migrated, queues declared")


if __name__ == "__main__":
    main()
