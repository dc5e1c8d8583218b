"""An RPC reply that cannot be sent (the broker is restarting) is logged and dropped instead
of escaping the worker, which made nameko stop the whole service (found by the chaos run)."""
import socket

import pytest
from kombu.exceptions import OperationalError
from nameko.rpc import Responder

from services.runtime import replies


class Message:
    properties = {"content_type": "application/json", "reply_to": "nobody",
                  "correlation_id": "c-1"}


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unreachable_responder(monkeypatch):
    monkeypatch.setattr(Responder, "send_response", Responder.send_response)
    responder = Responder(f"pyamqp://guest:guest@127.0.0.1:{closed_port()}/", "nameko-rpc",
                          "json", Message())
    responder.publisher_cls = lambda *a, **k: _Refusing()
    return responder


class _Refusing:
    def publish(self, *args, **kwargs):
        raise OperationalError("[Errno 111] ECONNREFUSED")


def test_without_the_fix_a_lost_reply_escapes_the_worker(unreachable_responder):
    with pytest.raises(OperationalError):
        unreachable_responder.send_response({"ok": True}, None)


def test_a_reply_lost_to_a_broker_restart_is_dropped_and_the_worker_ends_normally(
        unreachable_responder, caplog):
    replies.install()
    assert unreachable_responder.send_response({"ok": True}, None) == ({"ok": True}, None)
    assert "RPC reply lost" in caplog.text
