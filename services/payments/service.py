"""The payments nameko service: thin entrypoints over payments' domain modules."""
from services.payments.models import metadata
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.health import HealthMixin


class PaymentsService(HealthMixin):
    name = "payments"

    db = Database(metadata)
    log_context = LogContext()
