"""deploy/k8s: every overlay renders with `kubectl kustomize`, its core kinds are valid against
the Kubernetes schemas of a pinned version (kubernetes-validate, offline), and the Strimzi
resources carry exactly the project's topics and ACLs (shared/topics.py)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
import yaml

from shared.topics import all_topics

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
OVERLAYS = ("dev", "production")
# The Kubernetes release the manifests are checked against (kubectl here is 1.32 too).
KUBERNETES_VERSION = "1.32.0"
CORE_GROUPS = ("v1", "apps/v1", "policy/v1", "networking.k8s.io/v1")
SERVICES = ("intake", "triage", "reply", "metrics")
HASH_SUFFIX = r"-[a-z0-9]{10}$"  # kustomize's on generated ConfigMaps and Secrets


@cache
def rendered(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is missing: it renders the kustomize overlays")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def of_kind(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in rendered(overlay) if d["kind"] == kind}


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kafka_resources", K8S / "kafka_resources.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_kinds_are_valid_kubernetes(overlay: str) -> None:
    core = [d for d in rendered(overlay) if d["apiVersion"] in CORE_GROUPS]
    assert {d["kind"] for d in core} >= {
        "Deployment",
        "Service",
        "ConfigMap",
        "PodDisruptionBudget",
        "NetworkPolicy",
    }
    for document in core:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validation_catches_a_wrong_field() -> None:
    deployment = dict(of_kind("production", "Deployment")["triage"])
    deployment["spec"] = {**deployment["spec"], "replica": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_probes_resources_a_budget_a_scaler_and_its_secrets(
    overlay: str,
) -> None:
    deployments = of_kind(overlay, "Deployment")
    assert set(deployments) == set(SERVICES)
    budgets = of_kind(overlay, "PodDisruptionBudget")
    scalers = of_kind(overlay, "ScaledObject")
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["command"] == ["python", "-m", f"services.{name}", "serve"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert [c["command"] for c in pod["initContainers"]] == [["migrate", name]]
        secrets = {
            re.sub(HASH_SUFFIX, "", e["valueFrom"]["secretKeyRef"]["name"])
            for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        assert {name, "database"} <= secrets  # its Strimzi user's password, its database
        assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        (trigger,) = scalers[name]["spec"]["triggers"]
        assert trigger["type"] == "kafka"
        assert trigger["metadata"]["consumerGroup"] == name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_topics_are_the_projects_topics(overlay: str) -> None:
    topics = of_kind(overlay, "KafkaTopic")
    assert sorted(t["spec"]["topicName"] for t in topics.values()) == sorted(
        t.name for t in all_topics()
    )
    cluster = next(iter(of_kind(overlay, "Kafka")))
    assert all(t["metadata"]["labels"]["strimzi.io/cluster"] == cluster for t in topics.values())


def test_production_replicates_every_topic_three_times() -> None:
    for topic in of_kind("production", "KafkaTopic").values():
        assert topic["spec"]["replicas"] == 3
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    (pool,) = of_kind("production", "KafkaNodePool").values()
    assert pool["spec"]["replicas"] == 3
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}


def test_each_service_user_may_do_what_topics_py_says_and_no_more() -> None:
    users = of_kind("production", "KafkaUser")
    for service in SERVICES:
        acls = users[service]["spec"]["authorization"]["acls"]
        readable = {
            a["resource"]["name"]
            for a in acls
            if a["resource"]["type"] == "topic" and "Read" in a["operations"]
        }
        writable = {
            a["resource"]["name"]
            for a in acls
            if a["resource"]["type"] == "topic" and "Write" in a["operations"]
        }
        assert readable == {t.name for t in all_topics() if service in t.consumers}
        assert writable == {t.name for t in all_topics() if service in t.producers}
        assert users[service]["spec"]["authentication"]["type"] == "scram-sha-512"


def test_committed_strimzi_resources_are_what_the_generator_writes() -> None:
    for path, text in generator().files().items():
        assert path.read_text() == text, (
            f"{path.relative_to(ROOT)} is stale: run .venv/bin/python deploy/k8s/kafka_resources.py"
        )
