"""``background = Background()``: ``self.background.spawn(fn, *args)`` runs ``fn`` in a
greenthread of the container, so an entrypoint can answer before work whose duration would
tell the caller something (a reset link for a user who exists takes longer to make and mail
than nothing for one who does not). An error there is logged with its traceback; it never
reaches the caller nor stops the container. Service tests swap in a synchronous one.

A greenthread dies with its process (kill -9, a deploy stops the container and kills its
managed threads): work that must not be lost is recorded before it is spawned, in the
transaction of the answer, and a sweep does what was left undone (identity's
recovery_requests.py)."""
import logging

from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)


class _Spawner:
    def __init__(self, container):
        self._container = container

    def spawn(self, fn, *args, **kwargs):
        def run():
            try:
                fn(*args, **kwargs)
            except Exception:  # a managed thread that raises would kill the container
                log.exception("background work %s failed", getattr(fn, "__name__", fn))
        self._container.spawn_managed_thread(run, identifier=getattr(fn, "__name__", None))


class Background(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return _Spawner(self.container)
