"""Alembic, per service: each service keeps ``services/<name>/migrations`` for its own DB.

``upgrade(service, url)`` applies them programmatically; each ``env.py`` calls ``run_env``.
"""
import importlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config

from services.runtime.database import engine_url, make_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent


def alembic_config(service, url):
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("sqlalchemy.url", engine_url(url).render_as_string(hide_password=False)
                           .replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service, url, revision="head"):
    command.upgrade(alembic_config(service, url), revision)


def run_env():
    """The body of every service's migrations/env.py."""
    config = context.config
    service = config.attributes.get("service") or Path(config.get_main_option("script_location")).parent.name
    metadata = importlib.import_module(f"services.{service}.models").metadata
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        # batch mode lets ALTERs work on SQLite too
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
