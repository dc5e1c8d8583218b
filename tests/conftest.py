"""What is real in every test here: RabbitMQ and PostgreSQL are real servers (found by
tests/infra.py); each test session gets its own vhost and its own databases, so runs never see
each other's queues or rows. Nothing is faked at this level; see each folder's conftest."""
import pytest

from tests import infra


@pytest.fixture(scope="session")
def broker():
    try:
        return infra.find_broker()
    except RuntimeError as exc:
        pytest.exit(str(exc), returncode=3)


@pytest.fixture(scope="session")
def postgres():
    try:
        return infra.find_postgres()
    except RuntimeError as exc:
        pytest.exit(str(exc), returncode=3)


@pytest.fixture(scope="session")
def session_vhost(broker):
    """A vhost for the whole test session: (name, amqp_uri)."""
    name, uri = broker.create_vhost()
    yield name, uri
    broker.delete_vhost(name)


def pytest_sessionfinish(session, exitstatus):
    infra.stop_containers()
