"""/healthz (this process is up) and /readyz (every service answers its health RPC)."""
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app, g, jsonify

from gateway.rpc import ServiceUnavailable
from services.contracts.names import SERVICES

bp = Blueprint("health", __name__)

PING_TIMEOUT = 1.5
# each pool thread keeps its own RPC proxy (the client is per-thread), reused across probes
_pool = ThreadPoolExecutor(max_workers=len(SERVICES), thread_name_prefix="readyz")


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _ping(client, service, request_id):
    try:
        reply = client.call(service, "health", timeout=PING_TIMEOUT, request_id=request_id)
        return service, reply.get("status", "down")
    except ServiceUnavailable:
        return service, "down"
    except Exception:
        return service, "down"


@bp.get("/readyz")
def readyz():
    client = current_app.extensions["rpc"]
    request_id = g.get("request_id")  # pool threads have no Flask context
    states = dict(_pool.map(lambda s: _ping(client, s, request_id), SERVICES))
    down = sorted(s for s, state in states.items() if state != "ok")
    body = {"status": "ready" if not down else "unavailable", "services": states}
    if down:
        body["down"] = down
        response = jsonify(body)
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    return jsonify(body)
