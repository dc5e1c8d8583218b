"""What is real in every test here: RabbitMQ and PostgreSQL are real servers (found by
tests/support/infra.py); each test session gets its own vhost and its own databases, so runs never see
each other's queues or rows. Nothing is faked at this level; see each folder's conftest."""
import pytest

from services.contracts.names import SERVICES
from tests.support import infra, secret_collector
from tests.support.system import System


def _found(find):
    """The real server ``find`` finds, or the whole run stopped (exit 3) saying why not."""
    try:
        return find()
    except RuntimeError as exc:
        pytest.exit(str(exc), returncode=3)


@pytest.fixture(scope="session")
def broker():
    return _found(infra.find_broker)


@pytest.fixture(scope="session")
def postgres():
    return _found(infra.find_postgres)


@pytest.fixture(scope="session")
def session_vhost(broker):
    """A vhost for the whole test session: (name, amqp_uri)."""
    name, uri = broker.create_vhost()
    yield name, uri
    broker.delete_vhost(name)


@pytest.fixture(scope="session")
def system(session_vhost, postgres, tmp_path_factory):
    """The whole system running as real processes (see tests/support/system.py), for the session."""
    databases = {s: postgres.create_database(prefix=f"e2e_{s}") for s in SERVICES}
    running = System(session_vhost[1], {s: url for s, (_, url) in databases.items()},
                     tmp_path_factory.mktemp("system"), event_max_attempts=4,
                     event_retry_max_delay=2)  # parked within ~5 s: dead-letter tests
    running.migrate()
    secret_collector.install()  # what the tests send and receive, for the final secret scan
    running.start()
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop_all()
        for name, _ in databases.values():
            postgres.drop_database(name)


@pytest.hookimpl(trylast=True)  # after any other reordering: the scan must be last
def pytest_collection_modifyitems(session, config, items):
    """A module with ``RUN_LAST = True`` (the secret scan) runs after everything else, so it
    scans what every other test of the session left behind."""
    items.sort(key=lambda item: bool(getattr(getattr(item, "module", None), "RUN_LAST", False)))


def pytest_sessionfinish(session, exitstatus):
    infra.stop_containers()
