"""Service-to-service calls have a deadline: a callee that is down is an Unavailable error
within RPC_TIMEOUT, not a worker hung forever; a callee's domain errors come back as such."""
import pytest
from kombu import Connection, Exchange, Queue
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_hook

from services.contracts.errors import NotFound, Unavailable
from services.runtime.rpc import TimedRpcProxy


class Callee:
    name = "callee"

    @rpc(expected_exceptions=NotFound)
    def find(self, what):
        if what == "missing":
            raise NotFound("No such thing.")
        return {"found": what}


class Caller:
    name = "caller"
    callee_rpc = TimedRpcProxy("callee")

    @rpc
    def ask(self, what):
        return self.callee_rpc.find(what)


def test_a_callee_that_does_not_answer_is_unavailable_within_the_timeout(vhost, container_factory):
    # the callee's queue exists (it ran once) but nothing consumes it: the call must give up
    with Connection(vhost[1]) as conn:
        Queue("rpc-callee", Exchange("nameko-rpc", type="topic", durable=True),
              routing_key="callee.*", durable=True)(conn.channel()).declare()
    caller = container_factory(Caller, {"AMQP_URI": vhost[1], "SERIALIZER": "json",
                                        "RPC_TIMEOUT": 0.5})
    caller.start()
    with entrypoint_hook(caller, "ask") as ask:
        with pytest.raises(Unavailable) as raised:
            ask("anything")
    assert raised.value.extra == {"service": "callee"}


def test_a_callees_answer_and_domain_errors_come_through(vhost, container_factory):
    config = {"AMQP_URI": vhost[1], "SERIALIZER": "json", "RPC_TIMEOUT": 5}
    container_factory(Callee, config).start()
    caller = container_factory(Caller, config)
    caller.start()
    with entrypoint_hook(caller, "ask") as ask:
        assert ask("it") == {"found": "it"}
        with pytest.raises(NotFound):
            ask("missing")
