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
        "StatefulSet",
        "Deployment",
        "Service",
        "ConfigMap",
        "PodDisruptionBudget",
        "NetworkPolicy",
    }
    for document in core:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validation_catches_a_wrong_field() -> None:
    service = dict(of_kind("production", "StatefulSet")["triage"])
    service["spec"] = {**service["spec"], "replica": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(service, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_probes_resources_a_budget_a_scaler_and_its_secrets(
    overlay: str,
) -> None:
    services = of_kind(overlay, "StatefulSet")
    assert set(services) == set(SERVICES)
    assert set(of_kind(overlay, "Deployment")) == {"desk"}  # below
    budgets = of_kind(overlay, "PodDisruptionBudget")
    scalers = of_kind(overlay, "ScaledObject")
    for name, service in services.items():
        pod = service["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["command"] == ["python", "-m", f"services.{name}", "serve"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert [c["command"] for c in pod["initContainers"]] == [["migrate", name]]
        assert {name, "database"} <= secret_names(
            container
        )  # its Strimzi user's password, its database
        assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        (trigger,) = scalers[name]["spec"]["triggers"]
        assert trigger["type"] == "kafka"
        assert trigger["metadata"]["consumerGroup"] == name
        assert scalers[name]["spec"]["scaleTargetRef"] == {"kind": "StatefulSet", "name": name}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_copy_of_a_service_keeps_its_instance_id_across_restarts(overlay: str) -> None:
    """INSTANCE_ID is part of every transactional id (shared/delivery.py): a StatefulSet's pod
    keeps its name when it is replaced, so the new copy fences the old one's producers and
    aborts what they left open, instead of waiting for the transaction timeout."""
    services = of_kind(overlay, "StatefulSet")
    assert set(services) == set(SERVICES)
    for name, service in services.items():
        (container,) = service["spec"]["template"]["spec"]["containers"]
        (instance,) = [e for e in container["env"] if e["name"] == "INSTANCE_ID"]
        assert instance["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}, name
        assert service["spec"]["podManagementPolicy"] == "Parallel"
        assert service["spec"]["updateStrategy"] == {"type": "RollingUpdate"}


def secret_names(container: dict[str, Any]) -> set[str]:
    return {
        re.sub(HASH_SUFFIX, "", e["valueFrom"]["secretKeyRef"]["name"])
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_desk_is_reached_through_its_sign_on_proxy_in_production(overlay: str) -> None:
    """Production: people reach the desk only through the sign-on proxy in its pod, which the desk
    trusts as 127.0.0.1; development: the desk's own demo accounts, no proxy."""
    desk = of_kind(overlay, "Deployment")["desk"]
    pod = desk["spec"]["template"]["spec"]
    service, *sidecars = pod["containers"]
    assert service["command"] == ["python", "-m", "services.reply", "desk"]
    assert service["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert [c["command"] for c in pod["initContainers"]] == [["migrate", "reply"]]
    assert {"reply", "database", "desk"} <= secret_names(service)
    assert of_kind(overlay, "PodDisruptionBudget")["desk"]["spec"]["maxUnavailable"] == 1
    assert "desk" not in of_kind(overlay, "ScaledObject")  # no consumer group to scale on
    settings = next(
        c
        for name, c in of_kind(overlay, "ConfigMap").items()
        if re.sub(HASH_SUFFIX, "", name) == "desk"
    )["data"]
    (port,) = of_kind(overlay, "Service")["desk"]["spec"]["ports"]
    (allowed,) = of_kind(overlay, "NetworkPolicy")["desk-ingress"]["spec"]["ingress"]
    if overlay == "dev":
        assert sidecars == []
        assert settings["DESK_SIGN_ON"] == "local"
        assert port["targetPort"] == allowed["ports"][0]["port"] == "http"
        return
    (proxy,) = sidecars
    assert settings["DESK_SIGN_ON"] == "trusted-header"
    assert settings["DESK_TRUSTED_PROXIES"] == '["127.0.0.1"]'
    assert port["targetPort"] == allowed["ports"][0]["port"] == "sign-on"
    assert secret_names(proxy) == {"desk-sign-on"}
    proxy_settings = next(
        c
        for name, c in of_kind(overlay, "ConfigMap").items()
        if re.sub(HASH_SUFFIX, "", name) == "desk-sign-on"
    )["data"]
    assert (
        proxy_settings["OAUTH2_PROXY_UPSTREAMS"]
        == f"http://127.0.0.1:{settings['DESK_HTTP_PORT']}/"
    )


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
