"""Per-worker log context: the request id from nameko's context data, the event id handled."""
import logging
import time
import uuid

from nameko.extensions import DependencyProvider

from services.runtime import logs

log = logging.getLogger("services.worker")


class LogContext(DependencyProvider):
    """Declare as ``log_context = LogContext()`` on a service: every worker's log lines then
    carry the request id the caller sent (a new one when there is none) and, for an event
    handler, the event id. The request id stays in ``worker_ctx.data`` so nameko passes it on
    with every RPC this worker makes."""

    def setup(self):
        self._started = {}  # call id -> start time, for the one-line result log

    def worker_setup(self, worker_ctx):
        request_id = worker_ctx.data.get("request_id")
        event_id = None
        if worker_ctx.args and isinstance(worker_ctx.args[0], dict):
            event_id = worker_ctx.args[0].get("event_id")
            request_id = request_id or worker_ctx.args[0].get("request_id")
        if not request_id:
            request_id = uuid.uuid4().hex
        worker_ctx.data["request_id"] = request_id
        logs.set_context(request_id=request_id, event_id=event_id)
        self._started[worker_ctx.call_id] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        """One line per entrypoint run: what ran, how it ended, how long it took."""
        started = self._started.pop(worker_ctx.call_id, None)
        elapsed = round((time.perf_counter() - started) * 1000, 1) if started else None
        outcome = "ok" if exc_info is None else type(exc_info[1]).__name__
        log.info("%s %s", worker_ctx.entrypoint.method_name, outcome,
                 extra={"status": outcome, "duration_ms": elapsed})

    def worker_teardown(self, worker_ctx):
        logs.set_context(request_id=None, event_id=None)
