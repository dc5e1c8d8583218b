"""The probes the Kubernetes manifests run in each service pod (deploy/k8s/<service>.yaml),
run as the kubelet would, beside each real service process of the running system: the probe
is pointed at that process with --pid, as in a pod it looks at PID 1."""
import subprocess
import sys

import pytest
import yaml

from services.contracts.names import SERVICES
from tests.support.deploy_files import K8S
from tests.support.system import ROOT


def manifest_probe(service, kind):
    deployment = next(doc for doc in yaml.safe_load_all((K8S / f"{service}.yaml").read_text())
                      if doc["kind"] == "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container[kind]


@pytest.mark.parametrize("kind", ["readinessProbe", "livenessProbe"])
@pytest.mark.parametrize("service", SERVICES)
def test_the_manifests_probe_passes_beside_the_running_service(system, service, kind):
    probe = manifest_probe(service, kind)
    command = probe["exec"]["command"]
    assert command[0] == "python"
    done = subprocess.run([sys.executable, *command[1:], "--pid", str(system.processes[service].pid)],
                          cwd=ROOT, env=system.env, capture_output=True, text=True,
                          timeout=probe["timeoutSeconds"])
    assert done.returncode == 0, done.stderr
    assert service in done.stdout
