"""gunicorn settings for the gateway: gthread workers (never eventlet: the gateway is not
monkey-patched), each thread with its own RPC proxy created after fork."""
import os
import shutil
import tempfile

from services.runtime import config as config_mod

try:  # no gateway without real secrets (see services/runtime/config.py)
    _settings = config_mod.load_for_process()
except config_mod.SecretsRefused as exc:
    raise SystemExit(f"gateway: {exc}") from None

bind = f"0.0.0.0:{_settings.port}"
worker_class = "gthread"
workers = _settings.gateway_workers
threads = _settings.gateway_threads
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = None  # the app logs each request as a JSON line with its request id
errorlog = "-"
limit_request_line = 8190
# X-Forwarded-For and X-Forwarded-Proto are read in one place, gateway/proxies.py, and only
# from the peers in FORWARDED_ALLOW_IPS. gunicorn would otherwise also set the scheme from
# its secure_scheme_headers for the same peers (it never sets the client address itself):
# off, so there is one rule and one place to read it.
secure_scheme_headers = {}

# Metrics from every worker through prometheus-client's multiprocess mode.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      os.path.join(tempfile.gettempdir(), f"bizportal-metrics-{_settings.port}"))


_metrics_server = []  # the master's metrics HTTP server, once started


def on_starting(server):
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)


def when_ready(server):
    """The master serves /metrics on METRICS_PORT: every worker's figures, and on a port the
    public never reaches (gateway/observability.py). Not served at all when the port is 0;
    a port already taken costs the metrics, not the portal (logged)."""
    if _metrics_server or not _settings.metrics_port:
        return
    from prometheus_client import start_http_server
    from gateway import observability
    try:
        httpd, _thread = start_http_server(_settings.metrics_port, "0.0.0.0",
                                           registry=observability.registry())
    except OSError as exc:
        server.log.error("metrics not served: port %s: %s", _settings.metrics_port, exc)
        return
    _metrics_server.append(httpd)
    server.log.info("metrics on port %s (/metrics)", _settings.metrics_port)


def post_fork(server, worker):
    for httpd in _metrics_server:  # the worker inherited the master's listening socket
        httpd.socket.close()


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


# gunicorn 27's control socket defaults to one path per user: several gateways on one machine
# (replicas, tests, `make run`) would fight over it, and nothing here uses it.
control_socket_disable = True
