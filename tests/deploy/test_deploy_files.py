"""The deployment files (deploy/Dockerfile, docker-compose.yml, deploy/k8s/) checked against the
code they start: service names, environment variables, ports, module paths. Nothing is run or
faked: no Docker, no cluster, no broker; the files are parsed and the code is imported."""
import importlib
import importlib.util
import json
import re
import shlex

import yaml
from flask import Flask

from services.contracts.names import SERVICES
from services.runtime import config
from tests.support.deploy_files import APPS, K8S, k8s, pod
from tests.support.paths import ROOT

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# Secrets given so that load() writes nothing into DATA_DIR; PORT left to its default.
DEFAULT_PORT = config.load({"SECRET_KEY": "x", "ADMIN_TOKEN": "x"}).port
METRICS_PORT = config.DEFAULT_METRICS_PORT
GUNICORN = ["gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.app:create_app()"]


def database_variable(service):
    return f"{service.upper()}_DATABASE_URL"


# --- docker-compose.yml ---------------------------------------------------------------------

def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def compose_env(spec):
    env = spec.get("environment") or {}
    return set(env) if isinstance(env, dict) else {item.split("=", 1)[0] for item in env}


def compose_command(spec):
    command = spec.get("command", [])
    return shlex.split(command) if isinstance(command, str) else command


# --- deploy/k8s -----------------------------------------------------------------------------



def containers(name):
    spec = pod(name)
    return spec.get("initContainers", []) + spec["containers"]


def expanded_only(container):
    """The variables a container defines only to be spliced into a later one's value as
    ``$(NAME)``, which the kubelet expands (the broker's credentials into AMQP_URI): the code
    never reads them. Fails on a reference to a variable not defined before it, which the
    kubelet would leave as it is."""
    entries = container.get("env", [])
    used = set()
    for i, item in enumerate(entries):
        for name in re.findall(r"\$\((\w+)\)", item.get("value", "")):
            assert name in {e["name"] for e in entries[:i]}, (container["name"], item["name"], name)
            used.add(name)
    return used


def k8s_env(container):
    """Every variable the container gets: its own env plus the keys of whatever envFrom names,
    less those only expanded into another (expanded_only)."""
    names = {item["name"] for item in container.get("env", [])} - expanded_only(container)
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names |= set(k8s("ConfigMap")[source["configMapRef"]["name"]]["data"])
        if "secretRef" in source:
            names |= set(k8s("Secret")[source["secretRef"]["name"]]["stringData"])
    return names


def k8s_command(container):
    return container.get("command", []) + container.get("args", [])


def every_container_env():
    """(app, where, variables) for every container of ours, in compose and k8s."""
    for name in APPS:
        yield name, "compose", compose_env(compose()[name])
        for container in containers(name):
            yield name, f"k8s {container['name']}", k8s_env(container)


# --- the tests ------------------------------------------------------------------------------

def test_every_service_and_the_gateway_has_a_compose_service():
    assert set(APPS) <= set(compose())


def test_every_service_and_the_gateway_has_a_deployment_and_an_autoscaler():
    deployments, autoscalers = k8s("Deployment"), k8s("HorizontalPodAutoscaler")
    for name in APPS:
        assert name in deployments, name
        hpa = autoscalers[name]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu"
                   for m in hpa["spec"]["metrics"]), name


def test_every_variable_a_container_gets_is_one_the_code_reads():
    for name, where, env in every_container_env():
        assert env <= set(config.VARIABLES), (name, where, env - set(config.VARIABLES))


def test_each_service_gets_the_broker_and_its_own_database_and_no_other():
    for name, where, env in every_container_env():
        if name == "gateway":
            continue
        assert {"AMQP_URI", database_variable(name)} <= env, (name, where)
        others = {database_variable(s) for s in SERVICES if s != name}
        assert not env & others, (name, where, env & others)


def test_the_gateway_gets_the_broker_and_its_secrets_but_no_database():
    for name, where, env in every_container_env():
        if name == "gateway":
            assert {"AMQP_URI", "SECRET_KEY", "ADMIN_TOKEN"} <= env, where
            assert not any(v.endswith("_DATABASE_URL") for v in env), where


def test_each_compose_service_database_is_one_the_postgres_init_script_creates():
    created = set(re.findall(r"CREATE DATABASE (\w+)", (ROOT / "deploy/postgres-init.sql").read_text()))
    assert created == set(SERVICES)
    for service in SERVICES:
        url = compose()[service]["environment"][database_variable(service)]
        assert url.startswith("postgresql://") and url.rsplit("/", 1)[1] == service


def test_every_secret_and_configmap_a_container_reads_is_declared():
    secrets, configmaps = k8s("Secret"), k8s("ConfigMap")
    for name in APPS:
        for container in containers(name):
            for item in container.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets[ref["name"]]["stringData"], (name, ref)
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in configmaps, name


def test_the_gateway_listens_on_the_default_port_in_compose_and_k8s():
    gateway = compose()["gateway"]
    assert [str(p).rsplit(":", 1)[1] for p in gateway["ports"]] == [str(DEFAULT_PORT)]
    assert gateway.get("environment", {}).get("PORT", DEFAULT_PORT) in (DEFAULT_PORT, str(DEFAULT_PORT))
    assert f":{DEFAULT_PORT}/healthz" in " ".join(gateway["healthcheck"]["test"])

    (container,) = pod("gateway")["containers"]
    assert [p["containerPort"] for p in container["ports"] if p["name"] == "http"] == [DEFAULT_PORT]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == DEFAULT_PORT, probe
    (port,) = k8s("Service")["gateway"]["spec"]["ports"]
    assert (port["port"], port["targetPort"]) == (80, DEFAULT_PORT)
    assert f"EXPOSE {DEFAULT_PORT}" in DOCKERFILE.read_text()


def test_the_gateway_probes_ask_routes_the_gateway_serves():
    from gateway import health
    app = Flask(__name__)
    app.register_blueprint(health.bp)
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    (container,) = pod("gateway")["containers"]
    assert {"/readyz", "/healthz"} <= routes
    # one service down must not pull every gateway pod out of the Service
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_each_service_is_migrated_then_run_by_its_own_name():
    for module in ("services.runtime.migrate", "services.runtime.run"):
        assert importlib.util.find_spec(module), module
    for name in SERVICES:
        migrate = ["python", "-m", "services.runtime.migrate", name]
        run = ["python", "-m", "services.runtime.run", name]
        assert compose_command(compose()[name]) == [
            "sh", "-c", f"{shlex.join(migrate)} && exec {shlex.join(run)}"], name
        spec = pod(name)
        assert [k8s_command(c) for c in spec["initContainers"]] == [migrate], name
        assert [k8s_command(c) for c in spec["containers"]] == [run], name


def test_the_gateway_runs_the_app_factory_under_its_gunicorn_config_everywhere():
    assert (ROOT / "gateway" / "gunicorn.conf.py").is_file()
    assert callable(importlib.import_module("gateway.app").create_app)
    assert compose_command(compose()["gateway"]) == GUNICORN
    assert [k8s_command(c) for c in containers("gateway")] == [GUNICORN]
    assert exec_form("CMD") == GUNICORN
    # the command reads its config by path, so the final stage must carry that file
    assert "COPY gateway/gunicorn.conf.py gateway/gunicorn.conf.py" in final_stage()


# --- the image and the pods ------------------------------------------------------------------

def dockerfile_lines():
    return [line.strip() for line in DOCKERFILE.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def final_stage():
    lines = dockerfile_lines()
    starts = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    return "\n".join(lines[starts[-1]:])


def exec_form(instruction):
    """The JSON array of the last CMD or ENTRYPOINT; fails if it is shell form."""
    lines = [l for l in dockerfile_lines() if l.upper().startswith(instruction + " ")]
    if not lines:
        return []
    value = json.loads(lines[-1].split(None, 1)[1])
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), lines[-1]
    return value


def test_the_image_is_built_in_stages_and_starts_in_exec_form():
    froms = [l.split()[1] for l in dockerfile_lines() if l.upper().startswith("FROM ")]
    assert len(froms) >= 2 and froms[-1] == "python:3.11-slim", froms
    assert exec_form("CMD") or exec_form("ENTRYPOINT")


def test_the_image_runs_as_a_non_root_user_who_owns_the_data_folder():
    users = [l.split()[1] for l in final_stage().splitlines() if l.upper().startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    assert "DATA_DIR=/data" in final_stage() and re.search(r"chown \S+ /data", final_stage())


def test_every_pod_runs_as_non_root_within_resource_limits():
    for name in APPS:
        assert pod(name)["securityContext"]["runAsNonRoot"] is True, name
        for container in containers(name):
            assert {"requests", "limits"} <= set(container["resources"]), (name, container["name"])
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_compose_services_can_be_scaled_and_wait_for_a_healthy_broker_and_database():
    services = compose()
    assert not [n for n, spec in services.items() if "container_name" in spec]
    assert {"rabbitmq", "postgres"} <= {n for n, spec in services.items() if "healthcheck" in spec}
    for name in SERVICES:
        depends = services[name]["depends_on"]
        assert all(depends[i]["condition"] == "service_healthy" for i in ("rabbitmq", "postgres")), name
    assert set(SERVICES) <= set(services["gateway"]["depends_on"])


def test_applying_the_k8s_folder_creates_the_namespace_first_and_no_placeholder_secret():
    top = sorted(K8S.glob("*.y*ml"))
    first = list(yaml.safe_load_all(top[0].read_text()))
    assert [d["kind"] for d in first] == ["Namespace"], top[0].name
    namespace = first[0]["metadata"]["name"]
    for path in top:
        for doc in yaml.safe_load_all(path.read_text()):
            assert doc["kind"] != "Secret", path.name
            assert doc["kind"] == "Namespace" or doc["metadata"]["namespace"] == namespace, path.name


# --- no default that opens the system (issue 11, point 3) ------------------------------------

SECRET_VARIABLES = ("SECRET_KEY", "ADMIN_TOKEN")
REQUIRED = re.compile(r"^\$\{(\w+):\?[^}]+\}$")  # ${NAME:?message}: compose stops when unset


def deploy_texts():
    """Every file that configures a deployment, by name."""
    paths = [ROOT / "docker-compose.yml", DOCKERFILE, ROOT / "deploy/postgres-init.sql",
             *sorted(K8S.rglob("*.y*ml"))]
    return {str(p.relative_to(ROOT)): p.read_text() for p in paths}


def test_compose_secrets_are_required_variables_with_no_fallback():
    for name, spec in compose().items():
        env = spec.get("environment") or {}
        for variable in SECRET_VARIABLES:
            if variable in env:
                match = REQUIRED.match(str(env[variable]))
                assert match and match.group(1) == variable, (name, variable, env[variable])


def test_no_placeholder_secret_and_no_guest_anywhere_in_the_deployment_files():
    for path, text in deploy_texts().items():
        lowered = text.lower()
        for placeholder in ("change-me", "changeme", "replace-with", "guest", ":password@"):
            assert placeholder not in lowered, (path, placeholder)
        # a ${VAR:-default} with a default is fine for settings, never for a credential
        for variable, default in re.findall(r"\$\{(\w+):-([^}]*)\}", text):
            assert not re.search(r"SECRET|TOKEN|PASS|USER|AMQP_URI|DATABASE_URL", variable), (
                path, variable, default)


def test_the_broker_runs_with_credentials_from_required_variables():
    services = compose()
    broker_env = services["rabbitmq"]["environment"]
    user, password = (REQUIRED.match(broker_env[k]) for k in
                      ("RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"))
    assert user and password
    for name in APPS:
        uri = services[name]["environment"]["AMQP_URI"]
        assert f"${{{user.group(1)}" in uri and f"${{{password.group(1)}" in uri, (name, uri)
    database_password = REQUIRED.match(services["postgres"]["environment"]["POSTGRES_PASSWORD"])
    assert database_password
    for service in SERVICES:
        url = services[service]["environment"][database_variable(service)]
        assert f"${{{database_password.group(1)}" in url, (service, url)


def test_only_the_gateway_portal_port_is_published():
    published = {name: spec["ports"] for name, spec in compose().items() if spec.get("ports")}
    assert list(published) == ["gateway"], published  # no broker management UI, no database
    assert [str(p).rsplit(":", 1)[1] for p in published["gateway"]] == [str(DEFAULT_PORT)]


def test_the_k8s_secret_example_holds_no_value_to_copy():
    for name, secret in k8s("Secret").items():
        values = {**secret.get("stringData", {}), **secret.get("data", {})}
        assert values and all(v in ("", None) for v in values.values()), (name, values)
    for name, configmap in k8s("ConfigMap").items():
        assert not set(configmap["data"]) & {*SECRET_VARIABLES, "AMQP_URI"}, name


# --- what is public (issue 11, point 12) -------------------------------------------------------

def test_metrics_are_scraped_on_their_own_port_that_nothing_publishes():
    from gateway.app import create_app
    from tests.support.fakes import FakeRpc
    app = create_app(config.load({"SECRET_KEY": "x" * 32, "ADMIN_TOKEN": "y" * 32,
                                  "DATA_DIR": "/tmp/bizportal-deploy-test"}), rpc_client=FakeRpc())
    assert "/metrics" not in {rule.rule for rule in app.url_map.iter_rules()}

    (container,) = pod("gateway")["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": DEFAULT_PORT, "metrics": METRICS_PORT}
    annotations = k8s("Deployment")["gateway"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": str(METRICS_PORT),
                           "prometheus.io/path": "/metrics"}
    # the Service (and so any Ingress) carries the portal only
    (port,) = k8s("Service")["gateway"]["spec"]["ports"]
    assert port["targetPort"] in (DEFAULT_PORT, "http")
    # the Prometheus Operator's way, for clusters that run it: the same port, by name
    monitor = yaml.safe_load((K8S / "examples" / "gateway-podmonitor.yaml").read_text())
    assert monitor["kind"] == "PodMonitor"
    assert monitor["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "gateway"}
    assert [e["port"] for e in monitor["spec"]["podMetricsEndpoints"]] == ["metrics"]
    assert str(METRICS_PORT) not in " ".join(str(p) for p in compose()["gateway"].get("ports", []))
