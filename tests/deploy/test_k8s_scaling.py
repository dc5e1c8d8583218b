"""The Kubernetes manifests against the schemas of what they are applied to, and against what
ops need to run and scale each service on its own (issue 14, point 4).

Schemas come from packages pinned in pyproject's test extras, nothing copied in: Kubernetes'
own OpenAPI schemas from kubernetes-validate (strict: an unknown field fails), and for KEDA's
ScaledObject and TriggerAuthentication (and the Prometheus Operator's PodMonitor) the pydantic
models cloudcoil-models-keda (-prometheus-operator) generates from their CRDs (an unknown field,
which pydantic would drop, fails the round trip). No package ships the RabbitMQ or
CloudNativePG operators' schemas for Python; their examples are checked for names only. KEDA's
CRD types a trigger's metadata only as strings; its rabbitmq parameters are checked here
against the list in KEDA's documentation. The queues to scale on are derived from the
services' code, so a new event handler without a trigger fails here. Nothing is run or faked.
"""
import copy
import re
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from cloudcoil.models.keda import v1alpha1 as keda
from cloudcoil.models.prometheus_operator import v1 as prometheus_operator
from kombu import Connection
from nameko.rpc import RPC_QUEUE_TEMPLATE

from services.contracts.names import SERVICES
from services.runtime import config, probe, topology
from services.runtime.registry import service_class

from tests.support.deploy_files import APPS, K8S, pod
from tests.support.paths import ROOT

KUBERNETES = "1.30.0"  # the oldest minor still supported by the big clouds, end of 2026
CRD_MODELS = {"keda.sh": keda, "monitoring.coreos.com": prometheus_operator}
# the operators the examples are for whose schemas no package above ships
UNVALIDATED_GROUPS = {"rabbitmq.com", "postgresql.cnpg.io"}
README = ROOT / "deploy" / "README.md"
# KEDA 2.16's rabbitmq trigger (keda.sh/docs/2.16/scalers/rabbitmq-queue): its parameters,
# the enumerated values, and those that only the management API (protocol http) can serve
RABBITMQ_PARAMETERS = {
    "host", "hostFromEnv", "usernameFromEnv", "passwordFromEnv", "protocol", "mode", "value",
    "activationValue", "queueName", "vhostName", "useRegex", "pageSize", "operation", "timeout",
    "excludeUnacknowledged", "unsafeSsl"}
RABBITMQ_VALUES = {"protocol": {"auto", "http", "amqp"}, "mode": {"QueueLength", "MessageRate"},
                   "operation": {"sum", "max", "avg"}, "useRegex": {"true", "false"},
                   "excludeUnacknowledged": {"true", "false"}, "unsafeSsl": {"true", "false"}}
HTTP_ONLY = {"useRegex", "pageSize", "operation", "timeout", "excludeUnacknowledged"}
RABBITMQ_AUTH_PARAMETERS = {"host", "username", "password", "tls", "ca", "cert", "key"}


def documents(folder=K8S, recursive=True):
    paths = sorted(folder.rglob("*.y*ml") if recursive else folder.glob("*.y*ml"))
    return [(path.relative_to(ROOT), doc) for path in paths
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(kind, folder=K8S, recursive=True):
    return {doc["metadata"]["name"]: doc for _, doc in documents(folder, recursive)
            if doc["kind"] == kind}


def group(doc):
    return doc["apiVersion"].rpartition("/")[0]


# --- schemas -----------------------------------------------------------------------------------

def kubernetes_errors(doc):
    try:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'.'.join(map(str, exc.path))}: {exc.message}"]
    return []


def crd_errors(doc):
    """What its CRD's schema refuses in ``doc``, or drops from it (an unknown field)."""
    model = getattr(CRD_MODELS[group(doc)], doc["kind"])
    try:
        parsed = model.model_validate(doc)
    except Exception as exc:
        return [str(exc)]
    kept = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return [] if kept == doc else [f"not in KEDA's schema, or changed by it: {doc} != {kept}"]


def test_every_manifest_is_valid_for_the_kubernetes_api_and_every_operator_object_for_its_crd():
    checked = {"kubernetes": 0, "crd": 0}
    for path, doc in documents():
        if group(doc) in CRD_MODELS:
            assert not crd_errors(doc), (str(path), crd_errors(doc))
            checked["crd"] += 1
        elif group(doc) in UNVALIDATED_GROUPS:
            continue
        else:  # a kind kubernetes-validate has no schema for fails here too
            assert not kubernetes_errors(doc), (str(path), kubernetes_errors(doc))
            checked["kubernetes"] += 1
    assert checked["kubernetes"] >= 2 * len(APPS) and checked["crd"] > len(SERVICES) + 1, checked


def test_the_schema_checks_refuse_a_misspelt_field_or_a_wrong_type():
    deployment = copy.deepcopy(of_kind("Deployment")["billing"])
    deployment["spec"]["replica"] = 2
    assert kubernetes_errors(deployment)
    deployment = copy.deepcopy(of_kind("Deployment")["billing"])
    deployment["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["maxSkew"] = "one"
    assert kubernetes_errors(deployment)
    scaled = copy.deepcopy(of_kind("ScaledObject")["billing"])
    scaled["spec"]["minReplicas"] = 2  # the HPA's word, not KEDA's
    assert crd_errors(scaled)
    scaled = copy.deepcopy(of_kind("ScaledObject")["billing"])
    scaled["spec"]["triggers"][0]["metadata"]["useRegex"] = True  # metadata is strings only
    assert crd_errors(scaled)


# --- replicas, disruptions, zones, probes ------------------------------------------------------

def autoscalers(overlay):
    """Deployment name -> the autoscalers applying deploy/k8s/ and then ``overlay`` gives it."""
    found = {}
    for folder in (K8S, K8S / overlay):
        for _, doc in documents(folder, recursive=False):
            if doc["kind"] == "HorizontalPodAutoscaler":
                found.setdefault(doc["spec"]["scaleTargetRef"]["name"], []).append(
                    doc["spec"]["minReplicas"])
            elif doc["kind"] == "ScaledObject":
                found.setdefault(doc["spec"]["scaleTargetRef"]["name"], []).append(
                    doc["spec"]["minReplicaCount"])
    return found


@pytest.mark.parametrize("overlay", ["keda", "hpa"])
def test_either_overlay_gives_every_deployment_one_autoscaler_keeping_two_replicas(overlay):
    found = autoscalers(overlay)
    assert set(found) == set(of_kind("Deployment")), found
    for name, minimums in found.items():
        assert len(minimums) == 1, (overlay, name, minimums)  # two would fight over replicas
        assert minimums[0] >= 2, (overlay, name)
    for name, deployment in of_kind("Deployment").items():
        # the autoscaler owns replicas: a re-apply of the Deployment must not reset them
        assert "replicas" not in deployment["spec"], name


def test_keda_takes_over_the_fallback_hpa_of_the_same_name_instead_of_running_beside_it():
    fallback = of_kind("HorizontalPodAutoscaler", K8S / "hpa")
    for name, scaled in of_kind("ScaledObject").items():
        assert scaled["metadata"]["annotations"]["scaledobject.keda.sh/transfer-hpa-ownership"] == "true"
        assert scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["name"] == name
        assert fallback[name]["spec"]["scaleTargetRef"]["name"] == name
        assert fallback[name]["spec"]["maxReplicas"] == scaled["spec"]["maxReplicaCount"], name


def selects(selector, labels):
    return selector.keys() <= labels.keys() and all(labels[k] == v for k, v in selector.items())


def test_every_deployment_has_a_disruption_budget_over_exactly_its_pods_that_lets_a_drain_go_on():
    deployments, budgets = of_kind("Deployment"), of_kind("PodDisruptionBudget")
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets.values()
                    if selects(b["spec"]["selector"]["matchLabels"], labels)]
        assert len(covering) == 1, (name, [b["metadata"]["name"] for b in covering])
        (budget,) = covering
        assert budget["spec"]["selector"] == deployment["spec"]["selector"], name
        assert budget["metadata"]["namespace"] == deployment["metadata"]["namespace"], name
        # with two replicas, one may go; minAvailable 2 would block every drain
        assert budget["spec"].get("maxUnavailable") == 1, name
        # a pod that is not ready (the broker is away) does not hold a node drain up
        assert budget["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow", name
    assert set(budgets) == set(deployments)


def test_every_deployment_spreads_its_pods_across_zones():
    for name, deployment in of_kind("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        constraints = {c["topologyKey"]: c for c in pod(name).get("topologySpreadConstraints", [])}
        zone = constraints["topology.kubernetes.io/zone"]
        assert zone["maxSkew"] == 1 and zone["whenUnsatisfiable"] == "DoNotSchedule", name
        assert selects(zone["labelSelector"]["matchLabels"], labels), name
        # a zone whose nodes are down (tainted) must not count, or its pods could not be replaced
        assert zone["nodeTaintsPolicy"] == "Honor", name
        assert "kubernetes.io/hostname" in constraints, name


def test_every_container_has_readiness_and_liveness_probes_and_services_probe_themselves():
    for name in APPS:
        for container in pod(name)["containers"]:
            for kind in ("readinessProbe", "livenessProbe"):
                assert kind in container, (name, container["name"], kind)
        if name == "gateway":
            continue  # http probes: tests/deploy/test_deploy_files.py
        (container,) = pod(name)["containers"]
        for kind, live in (("readinessProbe", False), ("livenessProbe", True)):
            command = container[kind]["exec"]["command"]
            assert command[:3] == ["python", "-m", "services.runtime.probe"], (name, kind)
            args = probe.parser().parse_args(command[3:])
            assert (args.service, args.live, args.pid) == (name, live, 1), (name, kind)
            # the probe says why before the kubelet kills it (it gives up a second after)
            assert args.timeout + 1 < container[kind]["timeoutSeconds"], (name, kind)


# --- the broker --------------------------------------------------------------------------------

def rabbitmq_cluster():
    (cluster,) = of_kind("RabbitmqCluster").values()
    return cluster


def node_hosts():
    cluster = rabbitmq_cluster()
    name, namespace = cluster["metadata"]["name"], cluster["metadata"]["namespace"]
    return [f"{name}-server-{i}.{name}-nodes.{namespace}.svc"
            for i in range(cluster["spec"]["replicas"])]


def test_every_process_is_given_every_node_of_the_three_node_broker_cluster():
    assert rabbitmq_cluster()["spec"]["replicas"] >= 3  # quorum queues outlive one node
    hosts = node_hosts()
    (vhost,) = [v["spec"]["name"] for v in of_kind("Vhost").values()
                if v["spec"]["rabbitmqClusterReference"]["name"] == rabbitmq_cluster()["metadata"]["name"]]
    for name in APPS:
        spec = pod(name)
        for container in spec.get("initContainers", []) + spec["containers"]:
            env = {item["name"]: item for item in container["env"]}
            uri = env["AMQP_URI"]["value"]
            urls = [urlsplit(part) for part in uri.split(";")]
            assert [u.hostname for u in urls] == hosts, (name, container["name"])
            assert len({(u.scheme, u.username, u.password, u.port, u.path) for u in urls}) == 1
            assert urls[0].path == "/" + vhost, (name, container["name"])
            # credentials are expanded from the Secret by the kubelet, never written here
            assert (urls[0].username, urls[0].password) == (
                "$(RABBITMQ_USERNAME)", "$(RABBITMQ_PASSWORD)"), (name, container["name"])
            for variable in ("RABBITMQ_USERNAME", "RABBITMQ_PASSWORD"):
                assert env[variable]["valueFrom"]["secretKeyRef"]["name"] == "bizportal-secrets"
            # kombu's failover form: one connection, the other nodes its alternates
            expanded = uri.replace("$(RABBITMQ_USERNAME)", "u").replace("$(RABBITMQ_PASSWORD)", "p")
            assert len(Connection(expanded).alt) == len(hosts)


def expected_queues(service):
    """rpc-<service> and each event handler's queue, as the code names them."""
    cls = service_class(service)
    settings = config.load({"SECRET_KEY": "x" * 32, "ADMIN_TOKEN": "y" * 32}, generate=False)
    handlers = [q.name for q in topology.handler_queues(cls, config.nameko_config(service, settings))]
    return RPC_QUEUE_TEMPLATE.format(service), handlers


def every_queue_name():
    """Every queue name the services use: RPC, event handler, retry and dead-letter queues."""
    names = set()
    for service in SERVICES:
        rpc_queue, handlers = expected_queues(service)
        names |= {rpc_queue, f"{service}.dead-letters", *handlers, *(f"{q}.retry" for q in handlers)}
        service_queues = getattr(topology, "service_queues", None)  # where the code lists them all
        if service_queues:
            settings = config.load({"SECRET_KEY": "x" * 32}, generate=False)
            names |= {q.name for q in service_queues(
                service_class(service), config.nameko_config(service, settings))}
    return names


def rabbitmq_triggers(scaled):
    return [t for t in scaled["spec"]["triggers"] if t["type"] == "rabbitmq"]


def covers(trigger, queue):
    meta = trigger["metadata"]
    if meta.get("useRegex") == "true":
        return re.search(meta["queueName"], queue) is not None
    return meta["queueName"] == queue


def test_each_service_scales_on_its_rpc_queue_and_every_event_handler_queue_and_nothing_else():
    scaled_objects = of_kind("ScaledObject")
    assert set(scaled_objects) == set(SERVICES)
    universe = every_queue_name()
    for service in SERVICES:
        scaled = scaled_objects[service]
        assert scaled["spec"]["scaleTargetRef"]["name"] == service
        rpc_queue, handlers = expected_queues(service)
        triggers = rabbitmq_triggers(scaled)
        for queue in [rpc_queue, *handlers]:
            assert sum(covers(t, queue) for t in triggers) == 1, (service, queue)
        # not another service's queues, nor messages waiting out a retry or parked
        for queue in universe - {rpc_queue, *handlers}:
            assert not any(covers(t, queue) for t in triggers), (service, queue)
        # a pattern sums its queues; the RPC queue has a trigger (and a target) of its own
        for trigger in triggers:
            if trigger["metadata"].get("useRegex") == "true":
                assert trigger["metadata"]["operation"] == "sum", service
                assert not covers(trigger, rpc_queue), service


def test_every_queue_trigger_uses_only_parameters_keda_documents_for_rabbitmq():
    authentications = of_kind("TriggerAuthentication")
    secrets = of_kind("Secret")
    cluster = rabbitmq_cluster()
    (container,) = pod("billing")["containers"]
    amqp_uri = {item["name"]: item for item in container["env"]}["AMQP_URI"]["value"]
    vhost = urlsplit(amqp_uri.split(";")[0]).path
    management = (f"http://{cluster['metadata']['name']}.{cluster['metadata']['namespace']}"
                  f".svc:15672{vhost}")
    for service, scaled in of_kind("ScaledObject").items():
        for trigger in rabbitmq_triggers(scaled):
            meta = trigger["metadata"]
            assert meta.keys() <= RABBITMQ_PARAMETERS, (service, meta.keys() - RABBITMQ_PARAMETERS)
            for key, allowed in RABBITMQ_VALUES.items():
                assert meta.get(key, next(iter(allowed))) in allowed, (service, key)
            assert meta["mode"] == "QueueLength" and float(meta["value"]) > 0, service
            # the management API counts unacknowledged messages and serves patterns
            assert meta["protocol"] == "http", service
            assert not meta.keys() & HTTP_ONLY or meta["protocol"] == "http", service
            assert meta["host"] == management, (service, meta["host"])
            if meta.get("useRegex") == "true":  # RabbitMQ evaluates it: no lookaround, no \1
                assert not re.search(r"\(\?[=!<]|\\[1-9]", meta["queueName"]), service
            auth = authentications[trigger["authenticationRef"]["name"]]
            for ref in auth["spec"]["secretTargetRef"]:
                assert ref["parameter"] in RABBITMQ_AUTH_PARAMETERS, ref
                assert ref["key"] in secrets[ref["name"]]["stringData"], ref


def test_a_replica_is_added_when_the_rpc_backlog_exceeds_what_the_replicas_work_on_at_once():
    # KEDA counts ready and unacknowledged messages; each replica holds max_workers in hand
    settings = config.load({"SECRET_KEY": "x" * 32}, generate=False)
    for service, scaled in of_kind("ScaledObject").items():
        (rpc,) = [t for t in rabbitmq_triggers(scaled)
                  if t["metadata"]["queueName"] == RPC_QUEUE_TEMPLATE.format(service)]
        assert "excludeUnacknowledged" not in rpc["metadata"], service
        workers = config.nameko_config(service, settings)["max_workers"]
        assert float(rpc["metadata"]["value"]) == workers, (service, workers)


def test_keda_keeps_scaling_on_cpu_when_the_management_api_cannot_be_read():
    for service, scaled in of_kind("ScaledObject").items():
        cpu = [t for t in scaled["spec"]["triggers"] if t["type"] == "cpu"]
        assert [(t["metricType"], t["metadata"]["value"]) for t in cpu] == [("Utilization", "70")]
        # KEDA refuses a fallback section beside a cpu trigger
        assert "fallback" not in scaled["spec"], service


# --- the database and the README ---------------------------------------------------------------

def test_the_postgres_example_holds_one_database_per_service_owned_by_a_role_of_its_own():
    (cluster,) = of_kind("Cluster").values()
    assert cluster["spec"]["instances"] >= 3
    roles = {r["name"] for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in of_kind("Database").values()}
    assert set(databases) == set(SERVICES) == roles
    for name, spec in databases.items():
        assert spec["owner"] == name and spec["cluster"]["name"] == cluster["metadata"]["name"]


def test_the_readme_says_how_to_run_the_broker_and_the_database_and_names_only_files_that_exist():
    text = README.read_text()
    for words in ("RabbitMQ Cluster Operator", "RabbitmqCluster", "CloudNativePG", "quorum",
                  "LimitNOFILE", "65536", "kubectl apply -f deploy/k8s/keda/",
                  "kubectl apply -f deploy/k8s/hpa/", "services.runtime.probe"):
        assert words in text, words
    named = set(re.findall(r"\b((?:deploy/)?k8s/[\w./-]+\.ya?ml)\b", text))
    assert named, "the README names the manifests"
    for path in named:
        assert (ROOT / "deploy" / path.removeprefix("deploy/")).is_file(), path
    for path in sorted(K8S.rglob("*.y*ml")):
        if path.parent != K8S:  # every folder's files are said, each or by its folder
            relative = str(path.relative_to(ROOT / "deploy"))
            assert relative in text or f"{path.parent.relative_to(ROOT)}/" in text, relative
