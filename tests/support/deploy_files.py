"""The deployment files as data, for the tests that check them against the code: where the
Kubernetes manifests are, which apps they start, and a Deployment's pod spec by name."""
import yaml

from services.contracts.names import SERVICES
from tests.support.paths import ROOT

K8S = ROOT / "deploy" / "k8s"
APPS = (*SERVICES, "gateway")


def k8s_docs():
    return [doc for path in sorted(K8S.rglob("*.y*ml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s(kind):
    return {doc["metadata"]["name"]: doc for doc in k8s_docs() if doc["kind"] == kind}


def pod(name):
    return k8s("Deployment")[name]["spec"]["template"]["spec"]
