"""``processor = PaymentProcessor()``: the configured processor adapter (processor.py's
``make_processor``: ``PAYMENTS_PROCESSOR``, the sandbox's journal under ``DATA_DIR``), built
once when the container is set up and given to every worker as ``self.processor``.

One adapter per container: an adapter holds no per-call state (the sandbox's journal takes its
own lock and opens its file per charge), and a real one would keep its HTTP session here.
Service tests use the real sandbox or ``replace_dependencies(container, processor=...)``."""
from nameko.extensions import DependencyProvider

from services.payments.processor import make_processor


class PaymentProcessor(DependencyProvider):
    adapter = None

    def setup(self):
        config = self.container.config
        self.adapter = make_processor(config.get("PAYMENTS_PROCESSOR"), config.get("DATA_DIR"))

    def get_dependency(self, worker_ctx):
        return self.adapter
