"""Service tests: one service at a time in a nameko container (nameko's ``container_factory``)
under eventlet (``-p tests.support.green``), on a real broker (a fresh vhost per test) and a real
database: every test runs twice, on SQLite and on PostgreSQL (a fresh database per test,
copied from a migrated template). Other services' RPC proxies may be replaced with fakes via
``replace_dependencies``, and a test may move the services' clock ahead (``clock_ahead``);
nothing else is faked."""
from datetime import timedelta

import pytest

from services.runtime import clock, migrations

_templates = {}


@pytest.fixture
def clock_ahead(monkeypatch):
    """``clock_ahead(seconds)``: the services' clock (services.runtime.clock) runs that far
    ahead of the real one from then on."""
    real = clock.now

    def ahead(seconds):
        monkeypatch.setattr(clock, "now", lambda: real() + timedelta(seconds=seconds))
    return ahead


@pytest.fixture
def vhost(broker):
    name, uri = broker.create_vhost()
    yield name, uri
    broker.delete_vhost(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, postgres):
    """``database(service)`` -> a migrated, empty database URL of the parametrised kind."""
    created = []

    def make(service):
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / service}.db"
            migrations.upgrade(service, url)
            return url
        if service not in _templates:
            name, url = postgres.create_database(prefix=f"tmpl_{service}")
            migrations.upgrade(service, url)
            _templates[service] = name
        name, url = postgres.create_database(prefix=f"test_{service}", template=_templates[service])
        created.append(name)
        return url

    make.kind = request.param
    yield make
    for name in created:
        postgres.drop_database(name)


@pytest.fixture(scope="session", autouse=True)
def _drop_templates(postgres):
    yield
    for name in _templates.values():
        postgres.drop_database(name)


@pytest.fixture
def start_service(vhost, database, container_factory, tmp_path):
    """``start_service(ServiceClass, **config)`` -> a started container on the test's vhost and
    a fresh database for that service."""

    def start(service_cls, **overrides):
        config = {
            "AMQP_URI": vhost[1], "SERIALIZER": "json",
            "DATABASE_URL": database(service_cls.name),
            "DATA_DIR": str(tmp_path), "PUBLIC_URL": "http://portal.test", "SMTP_URL": None,
            "RPC_TIMEOUT": 5, "SECRET_KEY": "service-tests-secret-key",
        }
        config.update(overrides)
        container = container_factory(service_cls, config)
        container.start()
        return container

    return start
