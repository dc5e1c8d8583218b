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
# X-Forwarded-Proto (so request.is_secure, HSTS) is believed only from gunicorn's
# forwarded_allow_ips: loopback unless the environment's FORWARDED_ALLOW_IPS names the
# TLS-terminating proxy (gunicorn reads it itself). Left at gunicorn's default on purpose.

# Metrics from every worker through prometheus-client's multiprocess mode.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      os.path.join(tempfile.gettempdir(), f"bizportal-metrics-{_settings.port}"))


def on_starting(server):
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)


# gunicorn 27's control socket defaults to one path per user: several gateways on one machine
# (replicas, tests, `make run`) would fight over it, and nothing here uses it.
control_socket_disable = True
