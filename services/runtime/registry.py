"""Where each service's nameko class lives."""
import importlib


def service_class(name):
    """``billing`` -> services.billing.service.BillingService."""
    module = importlib.import_module(f"services.{name}.service")
    return getattr(module, f"{name.capitalize()}Service")
