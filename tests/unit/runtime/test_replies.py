"""An RPC reply that cannot be sent, or an ack on a connection the broker reset (the broker
is restarting), is logged and dropped instead of escaping the worker, which made nameko stop
the whole service (both found by the chaos run)."""
import socket

import pytest
from kombu.exceptions import OperationalError
from nameko.messaging import QueueConsumer
from nameko.rpc import Responder

from services.runtime import replies


class Message:
    properties = {"content_type": "application/json", "reply_to": "nobody",
                  "correlation_id": "c-1"}


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


NAMEKO_AS_SHIPPED = {(Responder, "send_response"): Responder.send_response,
                     (QueueConsumer, "ack_message"): QueueConsumer.ack_message,
                     (QueueConsumer, "requeue_message"): QueueConsumer.requeue_message}


@pytest.fixture(autouse=True)
def as_shipped(monkeypatch):
    """Each test starts from nameko as shipped; install() is undone after it."""
    for (cls, name), original in NAMEKO_AS_SHIPPED.items():
        monkeypatch.setattr(cls, name, original)


@pytest.fixture
def unreachable_responder():
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


class _ResetChannel:
    connection = object()  # nameko only acks while the channel has a connection

    def basic_ack(self, *args, **kwargs):
        raise ConnectionResetError(104, "Connection reset by peer")


class _Message:
    channel = _ResetChannel()

    def ack(self):
        self.channel.basic_ack(1)


def test_an_ack_on_a_connection_the_broker_reset_does_not_stop_the_service():
    with pytest.raises(ConnectionResetError):
        QueueConsumer.ack_message(None, _Message())
    replies.install()
    replies.install()  # twice is the same as once
    assert QueueConsumer.ack_message(None, _Message()) is None
