"""The declarative base of a service's tables, with the tables every service's database has:
``outbox`` and ``applied_events`` (outbox.py) and ``dead_letters`` (dead_letters.py).

Each service calls ``declarative_base()`` once in its models.py, so its tables (these and its
own) stay on a metadata of its own, in its own database, under its own migrations.
"""
from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base as _declarative_base

from services.runtime import dead_letters, outbox


def declarative_base():
    """A new base whose ``metadata`` already holds the outbox, applied-events and
    dead-letter tables."""
    metadata = MetaData()
    outbox.add_tables(metadata)
    dead_letters.add_table(metadata)
    return _declarative_base(metadata=metadata)
