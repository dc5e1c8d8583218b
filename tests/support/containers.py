"""Reaching into a service under test in its nameko container: call one entrypoint, read its
database, and watch the events it publishes on the broker."""
import json

from kombu import Connection, Exchange, Queue
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.runtime.database import engine_url


def hook(container, name, *args, **kwargs):
    with entrypoint_hook(container, name) as method:
        return method(*args, **kwargs)


def rows(container, statement, **params):
    """All rows of a statement (SQL text with ``params``, or an SQLAlchemy select) on the
    container's own database."""
    if isinstance(statement, str):
        statement = text(statement)
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.connect() as conn:
        result = conn.execute(statement, params).all()
    engine.dispose()
    return result


def execute(container, statement, **params):
    """A statement (SQL text with ``params``) in its own committed transaction on the
    container's database, writes included: its rows, or None when it returns none."""
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        found = result.all() if result.returns_rows else None
    engine.dispose()
    return found


def events_queue(amqp_uri, source, routing_key="#"):
    """Bind a throwaway queue to ``<source>.events`` the way an internal team would."""
    queue = Queue(f"test-{source}-{routing_key}", Exchange(f"{source}.events", type="topic",
                                                           durable=True),
                  routing_key=routing_key, durable=False, auto_delete=False)
    with Connection(amqp_uri) as conn:
        queue(conn.channel()).declare()
    return queue


def take(amqp_uri, queue, timeout=10):
    with Connection(amqp_uri) as conn:
        simple = conn.SimpleQueue(queue)
        message = simple.get(timeout=timeout)
        message.ack()
        simple.close()
        return json.loads(message.body) if isinstance(message.body, (str, bytes)) else message.body
