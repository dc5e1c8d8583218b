"""The health RPC every service answers (the gateway's /readyz pings it)."""
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue


class HealthMixin:
    """Mixed into each service class; needs its ``db`` dependency."""

    @rpc
    def health(self):
        """Returns ``{service, status: ok|degraded, database: ok|down}``; never raises."""
        try:
            self.db.ping()
            database = "ok"
        except Exception:
            database = "down"
        return {"service": self.name, "status": "ok" if database == "ok" else "degraded",
                "database": database}
