"""Service-to-service RPC with a deadline.

nameko 2.14's ``RpcProxy`` waits for a reply forever, so one service down would hang every
worker of the services that call it. ``TimedRpcProxy("billing")`` is the same dependency whose
calls give up after RPC_TIMEOUT seconds with ``errors.Unavailable`` (503 at the gateway), and
whose callee's domain errors come back as themselves.
"""
import eventlet
from nameko.exceptions import get_module_path, registry
from nameko.rpc import RpcProxy

from services.contracts import errors
from services.runtime import config
from services.runtime.entrypoints import TransientReplyListener


def register_domain_errors():
    """Make nameko re-create the contract's domain errors from RPC replies (instead of its
    generic RemoteError): for services here, for the gateway's client too."""
    for cls in errors.ALL:
        registry[get_module_path(cls)] = cls


register_domain_errors()


class TimedRpcProxy(RpcProxy):
    rpc_reply_listener = TransientReplyListener()  # not nameko's durable reply queue

    def get_dependency(self, worker_ctx):
        timeout = float(self.container.config.get("RPC_TIMEOUT") or config.Settings.rpc_timeout)
        return _TimedService(super().get_dependency(worker_ctx), self.target_service, timeout)


class _TimedService:
    def __init__(self, proxy, service, timeout):
        self._proxy, self._service, self._timeout = proxy, service, timeout

    def __getattr__(self, name):
        return _TimedMethod(getattr(self._proxy, name), self._service, self._timeout)


class _TimedMethod:
    def __init__(self, method, service, timeout):
        self._method, self._service, self._timeout = method, service, timeout

    def __call__(self, *args, **kwargs):
        reply = self._method.call_async(*args, **kwargs)
        try:
            with eventlet.Timeout(self._timeout):
                return reply.result()
        except eventlet.Timeout:  # a BaseException: turn it into a domain error callers expect
            raise errors.Unavailable(f"The {self._service} service did not answer in time.",
                                     {"service": self._service}) from None

    def call_async(self, *args, **kwargs):
        """Fire now, wait later (or never: e.g. a mail sent after commit)."""
        return self._method.call_async(*args, **kwargs)
