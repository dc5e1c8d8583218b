"""payments's tables."""
from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base

from services.runtime import outbox

metadata = MetaData()
Base = declarative_base(metadata=metadata)
outbox.add_tables(metadata)
