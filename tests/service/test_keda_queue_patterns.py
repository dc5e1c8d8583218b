"""KEDA's event-queue patterns (deploy/k8s/keda/) asked of a real RabbitMQ, the engine that
evaluates them: KEDA passes the pattern to the management API (``use_regex=true``) and sums
the depths of the queues it returns. On a fresh vhost holding every queue the services use,
named by the code, each pattern must return exactly its service's event-handler queues."""
from urllib.parse import quote, urlparse, urlunparse

import requests
import yaml
from kombu import Connection, Queue
from nameko.rpc import RPC_QUEUE_TEMPLATE

from services.contracts.names import SERVICES
from services.runtime import config, topology
from services.runtime.registry import service_class
from tests.support.deploy_files import K8S


def handler_queue_names(service):
    settings = config.load({"SECRET_KEY": "x" * 32}, generate=False)
    return {q.name for q in topology.handler_queues(
        service_class(service), config.nameko_config(service, settings))}


def every_queue_name():
    names = set()
    for service in SERVICES:
        handlers = handler_queue_names(service)
        names |= {RPC_QUEUE_TEMPLATE.format(service), f"{service}.dead-letters", *handlers,
                  *(f"{q}.retry" for q in handlers)}
    return names


def event_pattern(service):
    scaled = yaml.safe_load((K8S / "keda" / f"{service}.yaml").read_text())
    (trigger,) = [t for t in scaled["spec"]["triggers"]
                  if t["type"] == "rabbitmq" and t["metadata"].get("useRegex") == "true"]
    return trigger["metadata"]["queueName"]


def matched_by_the_broker(broker, vhost, pattern):
    """The queues RabbitMQ returns for ``pattern``, asked as KEDA's rabbitmq scaler asks."""
    parsed = urlparse(broker.api_uri)
    base = urlunparse(parsed._replace(netloc=f"{parsed.hostname}:{parsed.port or 15672}"))
    response = requests.get(
        f"{base}/api/queues/{quote(vhost, safe='')}",
        params={"page": 1, "use_regex": "true", "pagination": "false", "name": pattern,
                "page_size": 100},
        auth=(parsed.username or "guest", parsed.password or "guest"), timeout=10)
    response.raise_for_status()
    body = response.json()
    assert body["page_count"] <= 1  # KEDA refuses to scale on more than one page
    return {queue["name"] for queue in body["items"]}


def test_each_keda_event_pattern_selects_exactly_its_services_handler_queues_on_the_broker(
        broker, vhost):
    names = every_queue_name()
    with Connection(vhost[1], connect_timeout=5) as connection:
        channel = connection.channel()
        for name in names:
            Queue(name, durable=True)(channel).declare()
    assert sum(bool(handler_queue_names(s)) for s in SERVICES) >= 3  # the check has queues to find
    for service in SERVICES:
        assert matched_by_the_broker(broker, vhost[0], event_pattern(service)) == \
            handler_queue_names(service), service
