"""nameko's RPC entrypoint and reply listeners, declaring the queues of queues.py.

Stock nameko declares ``rpc-<service>`` as a classic queue (refused by the broker once migrate
made it a quorum queue: PRECONDITION_FAILED) and every reply queue as a durable classic one
(a dead node's reply queue then stops the whole service). So services take ``rpc`` from here,
never from nameko.rpc; TimedRpcProxy listens with TransientReplyListener, and processes outside
nameko (the gateway, the CLIs) use ``cluster_rpc_proxy``. Event handlers: handlers.py.
tests/unit/test_queue_entrypoints.py fails on any service entrypoint that is nameko's own.
"""
import uuid

from nameko.rpc import RPC_REPLY_QUEUE_TEMPLATE, ReplyListener, Rpc, RpcConsumer
from nameko.standalone.rpc import (ClusterRpcProxy, PollingQueueConsumer,
                                   SingleThreadedReplyListener)

from services.runtime import queues


class QuorumRpcConsumer(RpcConsumer):
    def setup(self):
        # RpcConsumer.setup, with the queue's type and arguments from queues.py
        if self.queue is None:
            self.queue = queues.rpc_queue(self.container.service_name, self.container.config)
            self.queue_consumer.register_provider(self)
            self._registered = True


class QuorumRpc(Rpc):
    rpc_consumer = QuorumRpcConsumer()


rpc = QuorumRpc.decorator


def _listen_on_transient_queue(listener):
    # ReplyListener.setup, with a non-durable queue
    reply_uuid = uuid.uuid4()
    listener.routing_key = str(reply_uuid)
    listener.queue = queues.reply_queue(
        RPC_REPLY_QUEUE_TEMPLATE.format(listener.container.service_name, reply_uuid),
        listener.routing_key, listener.container.config)
    listener.queue_consumer.register_provider(listener)


class TransientReplyListener(ReplyListener):
    """A service's reply listener (shared by its RPC proxies) on a non-durable queue."""

    def setup(self):
        _listen_on_transient_queue(self)


class _FailoverPollingQueueConsumer(PollingQueueConsumer):
    def _setup_consumer(self):
        # kombu's channel() would try only two of AMQP_URI's brokers: try each of them
        self.connection.ensure_connection(max_retries=max(len(self.connection.alt) - 1, 1))
        super()._setup_consumer()


class StandaloneReplyListener(SingleThreadedReplyListener):
    def __init__(self, timeout=None):
        super().__init__(timeout=timeout)
        self.queue_consumer = _FailoverPollingQueueConsumer(timeout=timeout)

    def setup(self):
        _listen_on_transient_queue(self)


def cluster_rpc_proxy(config, **kwargs):
    """nameko's ClusterRpcProxy (same arguments) whose reply queue is non-durable."""
    return ClusterRpcProxy(config, reply_listener_cls=StandaloneReplyListener, **kwargs)
