"""Writes the Strimzi KafkaTopic and KafkaUser resources of deploy/k8s from shared/topics.py:
every topic of the bus, and for every party that produces or consumes one (the four services,
and the channel adapters, caseworker tools and outbox gateways outside them), a SCRAM user
whose ACLs allow what that party does and nothing else.

    .venv/bin/python deploy/k8s/kafka_resources.py        # rewrites base/kafka/{topics,users}.yaml

tests/deploy/test_k8s.py checks that the committed files are what this writes.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shared.topics import STAGES, all_topics  # noqa: E402

CLUSTER = "inquiry-triage"
OUT = Path(__file__).resolve().parent / "base" / "kafka"
REPLICAS = 3
PARTITIONS = 6  # the most copies of one consumer that share a topic's work (KEDA's maximum)
TOPIC_CONFIG = {
    "retention.ms": 7 * 24 * 3600 * 1000,
    "min.insync.replicas": 2,
    "cleanup.policy": "delete",
}
# Consumer groups of the parties outside the services (the services' groups carry their names).
GROUPS = {"caseworker tools": "caseworkers."}
# Who may read every consumer group's offsets and every topic's end: the metrics service, which
# measures their lag, and KEDA, which scales the consumers on it (a user of its own).
LAG_READERS = ("metrics", "keda-lag-reader")


def resource_name(text: str) -> str:
    """A Kubernetes name (lower case, digits, '-' and '.') for a topic or a party."""
    return re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-.")


def topics() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {"name": resource_name(t.name), "labels": {"strimzi.io/cluster": CLUSTER}},
            "spec": {
                "topicName": t.name,
                "partitions": PARTITIONS,
                "replicas": REPLICAS,
                "config": dict(TOPIC_CONFIG),
            },
        }
        for t in all_topics()
    ]


def acl(kind: str, name: str, operations: list[str], pattern: str = "literal") -> dict[str, Any]:
    return {
        "resource": {"type": kind, "name": name, "patternType": pattern},
        "operations": operations,
    }


def party_acls() -> dict[str, list[dict[str, Any]]]:
    reads: dict[str, list[str]] = defaultdict(list)
    writes: dict[str, list[str]] = defaultdict(list)
    for t in all_topics():
        for party in t.consumers:
            reads[party].append(t.name)
        for party in t.producers:
            writes[party].append(t.name)
    acls: dict[str, list[dict[str, Any]]] = {}
    for party in sorted({*reads, *writes, *LAG_READERS}):
        rules = [acl("topic", name, ["Read", "Describe"]) for name in reads[party]]
        rules += [acl("topic", name, ["Write", "Describe"]) for name in writes[party]]
        if reads[party]:
            group = GROUPS.get(party, party)
            rules.append(acl("group", group, ["Read", "Describe"], "prefix"))
        if party in STAGES and writes[party]:
            # Transactional producers (one transactional id per running copy of a service).
            rules.append(acl("transactionalId", party, ["Write", "Describe"], "prefix"))
        if party in LAG_READERS:
            rules.append(acl("group", "*", ["Describe"]))
            rules.append(acl("topic", "*", ["Describe"]))
        acls[party] = rules
    return acls


def users() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaUser",
            "metadata": {"name": resource_name(party), "labels": {"strimzi.io/cluster": CLUSTER}},
            "spec": {
                "authentication": {"type": "scram-sha-512"},
                "authorization": {"type": "simple", "acls": rules},
            },
        }
        for party, rules in party_acls().items()
    ]


def render(resources: list[dict[str, Any]], what: str) -> str:
    header = (
        f"# {what}.\n# Written by deploy/k8s/kafka_resources.py from shared/topics.py: edit the topics\n"
        "# there and run the script again (tests/deploy/test_k8s.py compares).\n"
    )
    return header + yaml.safe_dump_all(resources, sort_keys=False, explicit_start=True)


def files() -> dict[Path, str]:
    return {
        OUT / "topics.yaml": render(topics(), "Every topic of the bus"),
        OUT / "users.yaml": render(users(), "One SCRAM user per party of the bus, with its ACLs"),
    }


if __name__ == "__main__":
    for path, text in files().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
