"""JSON-lines logging with the service name, the request id and the event id of the work.

The ids live in a thread-local; under eventlet's monkey patch that is a greenthread-local, so
each nameko worker (and each gunicorn thread in the gateway) logs its own ids. Every password
in a URI is masked (AMQP_URI may name several brokers, each with its credentials).
"""
import json
import logging
import sys
import threading
from datetime import datetime, timezone

from services.runtime.amqp_uri import mask

_context = threading.local()


def set_context(**ids):
    """Set (or with None, clear) ids for log lines of the current (green)thread."""
    for key, value in ids.items():
        setattr(_context, key, value)


def current(key):
    return getattr(_context, key, None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service):
        super().__init__()
        self.service = service

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": mask(record.getMessage()),
            "request_id": current("request_id"),
        }
        event_id = current("event_id")
        if event_id:
            line["event_id"] = event_id
        for key in ("event_ids", "event_type", "status", "path", "method", "duration_ms"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["traceback"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


def configure(service, level="INFO"):
    """Send every log record of this process to stderr as one JSON line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # kombu and amqp are chatty at INFO about every reconnect attempt
    for noisy in ("kombu", "amqp", "nameko.messaging"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
