"""The database dependency: one engine per service container, a unit of work per use.

``with self.db.transaction() as tx:`` gives ``tx.session`` and ``tx.emit(name, data)``; the
change and its events commit together, then the outbox relay is woken to publish them.
"""
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker

from services.contracts.errors import Unavailable
from services.runtime import outbox as outbox_mod
from services.runtime.relay import OutboxRelay


def engine_url(url):
    """PostgreSQL URLs use pg8000: pure Python, so eventlet's patched sockets make it yield."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+pg8000")
    return parsed


def make_engine(url, **kwargs):
    url = engine_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            # WAL + NORMAL: a commit survives the process dying (only an OS crash or power
            # loss can drop the last commits) and costs no fsync of its own
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


# SQLSTATE classes of a database that is away: 08 connection exception, 57P operator
# intervention (shutting down, restarting, not accepting connections yet)
OUTAGE_SQLSTATES = ("08", "57P")
SQLITE_OUTAGES = ("database is locked", "unable to open database file", "disk I/O error")


def is_outage(exc):
    """True when a database error means "the database is away" (a restart, a lost connection,
    SQLite's lock timeout), not a bug or a constraint."""
    if exc.connection_invalidated:
        return True
    if type(exc.orig).__module__.startswith("sqlite3"):  # its OperationalError is also a bad SQL
        return any(m in str(exc.orig) for m in SQLITE_OUTAGES)
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    details = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    code = details.get("C", "") if isinstance(details, dict) else ""  # pg8000's error fields
    return code.startswith(OUTAGE_SQLSTATES)


class Transaction:
    def __init__(self, session, db):
        self.session = session
        self._db = db
        self.events = []

    def emit(self, name, data):
        """Record event ``<service>.<name>`` to be published once this transaction commits."""
        body = outbox_mod.add(self.session, self._db.outbox, self._db.service, name, data)
        self.events.append(body)
        return body


class Db:
    """What a worker sees as ``self.db`` (and what scripts get from ``standalone``)."""

    def __init__(self, service, engine, metadata, wake=None):
        self.service = service
        self.engine = engine
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)
        self.outbox = metadata.tables["outbox"]
        self.applied = metadata.tables["applied_events"]
        self._wake = wake

    @contextmanager
    def transaction(self):
        """Raises errors.Unavailable (503 with Retry-After at the gateway; a handler's event is
        retried) when the database cannot be reached, instead of an unexpected error (500)."""
        session = self.sessionmaker()
        tx = Transaction(session, self)
        try:
            with session.begin():
                yield tx
        except (DBAPIError, ConnectionError) as exc:
            # ConnectionError: the driver's socket reset under it before SQLAlchemy wrapped it
            if isinstance(exc, DBAPIError) and not is_outage(exc):
                raise
            raise Unavailable("The database is unavailable. Please try again shortly.") \
                from exc
        finally:
            session.close()
        if tx.events and self._wake:
            self._wake()

    @contextmanager
    def apply_once(self, event, consumer):
        """A transaction for applying ``event`` in ``consumer``; yields None if already applied."""
        with self.transaction() as tx:
            fresh = outbox_mod.first_application(tx.session, self.applied, event["event_id"],
                                                 consumer)
            yield tx if fresh else None

    def ping(self):
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True


class Database(DependencyProvider):
    """``db = Database(metadata)``: the service's own database, outbox and relay."""

    def __init__(self, metadata):
        self.metadata = metadata

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        self.engine = make_engine(config["DATABASE_URL"])
        self.relay = OutboxRelay(self.engine, self.metadata.tables["outbox"], self.service, config)
        self.db = Db(self.service, self.engine, self.metadata, wake=self.relay.wake)

    def start(self):
        self.container.spawn_managed_thread(self.relay.run, identifier=f"{self.service}.relay")

    def stop(self):
        self.relay.stop()
        self.engine.dispose()

    def kill(self):
        self.relay.stop()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.db


def standalone(service, url, metadata):
    """A Db for scripts (bootstrap, staff CLIs): events wait in the outbox until the running
    service's relay, which polls, publishes them."""
    return Db(service, make_engine(url), metadata)
