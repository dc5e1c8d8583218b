"""Request ids, JSON access logs and Prometheus metrics for the gateway.

Metrics work across gunicorn workers through prometheus-client's multiprocess mode when
PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py sets it); otherwise per process.

They are not served by the app: the public port has no /metrics (routes, volumes and error
rates are for operators, not for anyone on the internet). gunicorn's master serves
``exposition()`` on METRICS_PORT (gunicorn.conf.py), which no Service, Ingress or compose port
publishes; the master is also the one process that outlives every worker, so one scrape
sees them all, which per-worker serving could not.
"""
import logging
import os
import re
import time
import uuid

from flask import g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from services.runtime import logs

log = logging.getLogger("gateway.access")

REQUESTS = Counter("bizportal_http_requests_total", "HTTP requests", ["route", "method", "status"])
LATENCY = Histogram("bizportal_http_request_seconds", "HTTP request latency", ["route", "method"])
RPC_LATENCY = Histogram("bizportal_rpc_seconds", "RPC latency", ["service", "method", "outcome"])

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)


def observe_rpc(service, method, seconds, outcome):
    RPC_LATENCY.labels(service, method, outcome).observe(seconds)


def _begin():
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()
    logs.set_context(request_id=g.request_id)


def _finish(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    route = request.url_rule.rule if request.url_rule else "unmatched"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    REQUESTS.labels(route, request.method, response.status_code).inc()
    LATENCY.labels(route, request.method).observe(elapsed)
    if route != "/healthz":
        log.info("%s %s %s", request.method, route, response.status_code,
                 extra={"method": request.method, "path": route, "status": response.status_code,
                        "duration_ms": round(elapsed * 1000, 1)})
    return response


def registry():
    """Every worker's metrics in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        aggregated = CollectorRegistry()
        multiprocess.MultiProcessCollector(aggregated)
        return aggregated
    from prometheus_client import REGISTRY
    return REGISTRY


def exposition():
    """The Prometheus text exposition of ``registry()``."""
    return generate_latest(registry())


def init_app(app):
    app.before_request(_begin)
    app.after_request(_finish)
    app.extensions["rpc"].observers.append(observe_rpc)
