"""Finding the real RabbitMQ and PostgreSQL the tests run against, and carving out
throwaway vhosts and databases on them.

Order of preference: the servers named by AMQP_URI / TEST_DATABASE_URL (defaults: the local
ones); else containers started with testcontainers when a Docker engine answers; else a clear
failure that says what to start.
"""
import os
import secrets
import socket
from urllib.parse import quote, urlparse, urlunparse

import requests

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"

HELP = """\
{what} is not reachable at {where}, and no Docker engine is available for testcontainers.
Start it (on Debian: {start}) or point {var} at one, then run `make test` again.
(.ci/run starts both on a CI machine.)"""

_containers = []


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port),
                                      timeout=2):
            return True
    except OSError:
        return False


def _docker_available():
    try:
        import docker
        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


class Broker:
    """A RabbitMQ with its management API (for vhosts)."""

    def __init__(self, amqp_uri, api_uri):
        self.amqp_uri = amqp_uri
        self.api_uri = api_uri.rstrip("/")

    def _api(self, method, path, **kwargs):
        parsed = urlparse(self.api_uri)
        base = urlunparse(parsed._replace(netloc=f"{parsed.hostname}:{parsed.port or 15672}"))
        auth = (parsed.username or "guest", parsed.password or "guest")
        # deleting a vhost of quorum queues takes the broker seconds per queue under load
        response = requests.request(method, f"{base}/api/{path}", auth=auth, timeout=60, **kwargs)
        response.raise_for_status()
        return response

    def create_vhost(self, prefix="bizportal_test"):
        """A fresh vhost with full permissions for the broker's user; returns its AMQP URI."""
        name = f"{prefix}_{secrets.token_hex(5)}"
        user = urlparse(self.amqp_uri).username or "guest"
        self._api("PUT", f"vhosts/{quote(name, safe='')}")
        self._api("PUT", f"permissions/{quote(name, safe='')}/{user}",
                  json={"configure": ".*", "write": ".*", "read": ".*"})
        parsed = urlparse(self.amqp_uri)
        return name, urlunparse(parsed._replace(path="/" + quote(name, safe="")))

    def delete_vhost(self, name):
        try:
            self._api("DELETE", f"vhosts/{quote(name, safe='')}")
        except requests.RequestException:
            pass

    def queue(self, vhost, name):
        return self._api("GET", f"queues/{quote(vhost, safe='')}/{quote(name, safe='')}").json()


def find_broker():
    amqp = os.environ.get("AMQP_URI") or DEFAULT_AMQP
    if _reachable(amqp, 5672):
        host = urlparse(amqp).hostname
        user = urlparse(amqp).username or "guest"
        password = urlparse(amqp).password or "guest"
        api = os.environ.get("RABBIT_API_URI") or f"http://{user}:{password}@{host}:15672"
        if not _reachable(api, 15672):
            raise RuntimeError(
                f"RabbitMQ answers at {host}:5672 but its management API does not at {api}: "
                "enable it with `rabbitmq-plugins enable rabbitmq_management` (the tests make "
                "a fresh vhost per run through it), or set RABBIT_API_URI.")
        return Broker(amqp, api)
    if _docker_available():
        from testcontainers.rabbitmq import RabbitMqContainer
        container = RabbitMqContainer("rabbitmq:3-management").start()
        _containers.append(container)
        host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
        api_port = container.get_exposed_port(15672)
        return Broker(f"amqp://guest:guest@{host}:{port}/", f"http://guest:guest@{host}:{api_port}")
    raise RuntimeError(HELP.format(what="RabbitMQ", where=amqp, var="AMQP_URI",
                                   start="`rabbitmq-server -detached`"))


class Postgres:
    def __init__(self, admin_url):
        self.admin_url = admin_url

    def _admin(self):
        from sqlalchemy import create_engine
        from services.runtime.database import engine_url
        return create_engine(engine_url(self.admin_url), isolation_level="AUTOCOMMIT")

    def create_database(self, prefix="bizportal_test", template=None):
        name = f"{prefix}_{secrets.token_hex(5)}"
        from sqlalchemy import text
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        engine.dispose()
        parsed = urlparse(self.admin_url)
        return name, urlunparse(parsed._replace(path="/" + name))

    def drop_database(self, name):
        from sqlalchemy import text
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def find_postgres():
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    if _reachable(url, 5432):
        return Postgres(url)
    if _docker_available():
        from testcontainers.postgres import PostgresContainer
        container = PostgresContainer("postgres:16", driver=None).start()
        _containers.append(container)
        return Postgres(container.get_connection_url())
    raise RuntimeError(HELP.format(
        what="PostgreSQL", where=url, var="TEST_DATABASE_URL",
        start="`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"))


def stop_containers():
    while _containers:
        _containers.pop().stop()
