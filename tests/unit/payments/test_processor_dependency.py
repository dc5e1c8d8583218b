"""payments' PaymentProcessor dependency: the adapter PAYMENTS_PROCESSOR names, built once at
container setup (the sandbox's journal under DATA_DIR), the same one for every worker."""
from services.payments.processor import SandboxProcessor
from services.payments.processor_dependency import PaymentProcessor
from services.payments.sandbox_journal import journal_path


class Container:
    """What a DependencyProvider reads of its container here: the config."""
    def __init__(self, config):
        self.config = config


def bound(container):
    return PaymentProcessor().bind(container, "processor")  # holds it by weak reference


def test_the_sandbox_is_built_once_with_its_journal_under_data_dir(tmp_path):
    container = Container({"PAYMENTS_PROCESSOR": "sandbox", "DATA_DIR": str(tmp_path)})
    provider = bound(container)
    provider.setup()
    first, second = provider.get_dependency(object()), provider.get_dependency(object())
    assert isinstance(first, SandboxProcessor) and first is second
    assert first.journal.path == journal_path(tmp_path)


def test_a_dotted_name_builds_that_class():
    container = Container({"PAYMENTS_PROCESSOR": f"{__name__}:Acme"})
    provider = bound(container)
    provider.setup()
    assert isinstance(provider.get_dependency(object()), Acme)


class Acme(SandboxProcessor):
    """A stand-in for a real processor's adapter, named by module:Class."""
