"""Who may do what on the bus: one Kafka principal per service, per channel adapter, per outbox
gateway, and the operators, each allowed exactly the topics, consumer groups and transactional
ids it needs. Derived from the topic table (shared/topics.py), so a new topic or consumer there
is a new grant here; docs/security.md explains the model.

The broker refuses everything not granted (StandardAuthorizer, no ACL means no access); only
the admin and the controller are super users.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from shared.topics import (
    INQUIRIES_TRIAGED,
    INTAKE_STAGE,
    METRICS_STAGE,
    REPLY_STAGE,
    STAGES,
    TRIAGE_STAGE,
    TopicSpec,
    all_topics,
    raw_topic,
)
from shared.vocabulary import ALL_QUEUES, Channel

# The super users: `admin` provisions (credentials, ACLs), `controller` is the KRaft quorum's own.
ADMIN = "admin"
CONTROLLER = "controller"
OPERATOR = "operator"
# `make run`'s feed: it plays every channel adapter and watches the outcome; development only.
DEMO = "demo"

# Roles of the topic table that are not services, and who plays them.
ADAPTERS_ROLE = "channel adapters"
CASEWORKER_TOOLS_ROLE = "caseworker tools"
GATEWAYS_ROLE = "gateways"
OPERATORS_ROLE = "operators"
# The caseworkers' desk (take, peek, reroute) is served by reply.
CASEWORKER_TOOLS_HOST = REPLY_STAGE
# Intake hosts two adapters itself: the HTTP gateway and the SMTP receiver publish raw messages.
HOSTED_ADAPTERS = INTAKE_STAGE


class Resource(IntEnum):
    """Kafka's resource types (org.apache.kafka.common.resource.ResourceType)."""

    TOPIC = 2
    GROUP = 3
    TRANSACTIONAL_ID = 5


class Pattern(IntEnum):
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):
    """Kafka's ACL operations (org.apache.kafka.common.acl.AclOperation)."""

    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8


@dataclass(frozen=True, order=True)
class Grant:
    """One ALLOW rule: `principal` may `operation` on a resource (any host)."""

    principal: str
    resource: Resource
    name: str
    operation: Operation
    pattern: Pattern = Pattern.LITERAL

    def __str__(self) -> str:
        pattern = "*" if self.pattern is Pattern.PREFIXED else ""
        return (
            f"User:{self.principal} {self.operation.name} {self.resource.name} {self.name}{pattern}"
        )


def adapter_principal(channel: Channel | str) -> str:
    return f"adapter-{Channel(channel).value}"


def gateway_principal(outbox: str) -> str:
    return f"gateway-{outbox.removeprefix('outbox.')}"


_RAW_CHANNELS = {raw_topic(c): c for c in Channel}


def _players(role: str, spec: TopicSpec) -> list[str]:
    """The principals that play one producer or consumer role of the topic table."""
    if role in STAGES:
        return [role]
    if role == ADAPTERS_ROLE:
        channel = _RAW_CHANNELS[spec.name]
        return [adapter_principal(channel), HOSTED_ADAPTERS, DEMO]
    if role == CASEWORKER_TOOLS_ROLE:
        return [CASEWORKER_TOOLS_HOST]
    if role == GATEWAYS_ROLE:
        return [gateway_principal(spec.name)]
    if role == OPERATORS_ROLE:
        return [OPERATOR, DEMO]
    raise ValueError(f"topic {spec.name}: no principal plays the role {role!r}")


def consumer_groups(principal: str) -> list[str]:
    """The consumer groups (relative names) a principal's processes join."""
    if principal == TRIAGE_STAGE:
        return [TRIAGE_STAGE, f"{TRIAGE_STAGE}.actions"]
    if principal == REPLY_STAGE:
        return [REPLY_STAGE, *(f"caseworkers.{queue}" for queue in ALL_QUEUES)]
    if principal in STAGES or principal.startswith("gateway-") or principal == OPERATOR:
        return [principal]
    return []  # adapters only produce; the demo reads without a group


def principals() -> list[str]:
    """Every principal that gets credentials, besides the admin and the controller."""
    names = {
        p
        for spec in all_topics()
        for role in (*spec.producers, *spec.consumers)
        for p in _players(role, spec)
    }
    return sorted(names)


def grants(prefix: str = "") -> list[Grant]:
    """Every ACL of a deployment whose topics and groups carry `prefix`."""
    rules: set[Grant] = set()

    def allow(
        principal: str,
        resource: Resource,
        name: str,
        *ops: Operation,
        pattern: Pattern = Pattern.LITERAL,
    ) -> None:
        rules.update(Grant(principal, resource, prefix + name, op, pattern) for op in ops)

    specs = all_topics()
    for spec in specs:
        for role in spec.producers:
            for p in _players(role, spec):
                allow(p, Resource.TOPIC, spec.name, Operation.WRITE, Operation.DESCRIBE)
        for role in spec.consumers:
            for p in _players(role, spec):
                allow(p, Resource.TOPIC, spec.name, Operation.READ, Operation.DESCRIBE)
    # The demo's summary counts what triage decided (development only: the feed is made up).
    allow(DEMO, Resource.TOPIC, INQUIRIES_TRIAGED, Operation.READ, Operation.DESCRIBE)
    # Services create the topics they use at start-up (shared/bus.py ensure_topics).
    for rule in list(rules):
        if rule.principal in STAGES:
            allow(rule.principal, Resource.TOPIC, rule.name.removeprefix(prefix), Operation.CREATE)
    for principal in principals():
        for group in consumer_groups(principal):
            allow(principal, Resource.GROUP, group, Operation.READ, Operation.DESCRIBE)
    # Transactional producers are named after the service's group (shared/bus.py).
    for service in STAGES:
        allow(
            service,
            Resource.TRANSACTIONAL_ID,
            f"{service}.",
            Operation.WRITE,
            Operation.DESCRIBE,
            pattern=Pattern.PREFIXED,
        )
    # Metrics reports every service's consumer lag: the groups' committed offsets and the
    # topics' end offsets. DESCRIBE shows offsets and partitions, never a record.
    for service in STAGES:
        allow(METRICS_STAGE, Resource.GROUP, service, Operation.DESCRIBE)
    for spec in specs:
        allow(METRICS_STAGE, Resource.TOPIC, spec.name, Operation.DESCRIBE)
    return sorted(rules)


def may(rules: Iterable[Grant], principal: str, operation: Operation, topic: str) -> bool:
    """Whether the rules let `principal` do `operation` on a topic (full name)."""
    return any(
        r.principal == principal
        and r.resource is Resource.TOPIC
        and r.operation is operation
        and (r.name == topic if r.pattern is Pattern.LITERAL else topic.startswith(r.name))
        for r in rules
    )
