"""The identity nameko service: thin entrypoints over identity's domain modules."""
from services.identity.models import metadata
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.health import HealthMixin


class IdentityService(HealthMixin):
    name = "identity"

    db = Database(metadata)
    log_context = LogContext()
