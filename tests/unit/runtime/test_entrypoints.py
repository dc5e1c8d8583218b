"""No service entrypoint declares a queue the stock nameko way: the broker would refuse it
(PRECONDITION_FAILED against migrate's quorum queue) or, for a reply queue, tie the service to
one broker node."""
import inspect

from nameko.events import EventHandler
from nameko.messaging import Consumer
from nameko.rpc import Rpc, RpcProxy
from nameko.timer import Timer

from services.contracts.names import SERVICES
from services.runtime.service_dead_letters import DeadLetterConsumer
from services.runtime.entrypoints import QuorumRpc, TransientReplyListener
from services.runtime.handlers import ReliableEventHandler
from services.runtime.registry import service_class

OURS = (QuorumRpc, ReliableEventHandler, DeadLetterConsumer)


def entrypoints(cls):
    for name, method in inspect.getmembers(cls):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            yield f"{cls.name}.{name}", entrypoint


def test_every_queue_consuming_entrypoint_of_every_service_declares_the_queues_of_queues_py():
    stock = [(where, type(ep).__name__)
             for s in SERVICES for where, ep in entrypoints(service_class(s))
             if isinstance(ep, (Rpc, EventHandler, Consumer)) and not isinstance(ep, OURS)]
    assert stock == []
    kinds = {type(ep) for s in SERVICES for _, ep in entrypoints(service_class(s))}
    assert kinds <= set(OURS) | {Timer}


def test_every_rpc_proxy_of_every_service_replies_on_a_non_durable_queue():
    proxies = [(s, name, dep) for s in SERVICES
               for name, dep in inspect.getmembers(service_class(s))
               if isinstance(dep, RpcProxy)]
    assert proxies  # identity, billing, payments and notifications all call others
    for service, name, dep in proxies:
        assert isinstance(dep.rpc_reply_listener, TransientReplyListener), (service, name)
