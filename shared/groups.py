"""The pipeline's consumer groups as an operator sees them: each group's members (which service
instance holds which partitions) and its lag, the records not yet committed.
`python -m shared.groups` prints them (`make status`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.client import AIOKafkaClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.protocol.admin import (
    DescribeGroupsRequest_v0,
    DescribeGroupsRequest_v1,
    DescribeGroupsRequest_v2,
)
from aiokafka.protocol.api import Request

from shared.settings import ServiceSettings


@dataclass
class Member:
    client_id: str  # "triage-2": the service and its INSTANCE_ID (shared/bus.py)
    partitions: list[TopicPartition]


@dataclass
class Group:
    name: str
    state: str
    members: list[Member] = field(default_factory=list)
    lag: dict[TopicPartition, int] = field(default_factory=dict)

    @property
    def total_lag(self) -> int:
        return sum(self.lag.values())


class DescribeGroups(
    Request[DescribeGroupsRequest_v0 | DescribeGroupsRequest_v1 | DescribeGroupsRequest_v2]
):
    """DescribeGroups up to version 2: aiokafka 0.14 reads a version 3 answer (which Kafka 4
    gives) with version 2's layout and fails, so the admin client's describe cannot be used."""

    API_KEY = 15

    def __init__(self, groups: list[str]) -> None:
        self._groups = groups

    def build(self, request_struct_class: type) -> object:
        return request_struct_class(self._groups)


def _members(raw: tuple[object, ...]) -> list[Member]:
    members = []
    for member in raw:
        # (member_id, [group_instance_id,] client_id, client_host, metadata, assignment)
        fields: tuple[Any, ...] = tuple(member)  # type: ignore[arg-type]
        client_id, assignment = fields[-4], fields[-1]
        partitions = (
            ConsumerProtocolMemberAssignment.decode(assignment).partitions() if assignment else []
        )
        members.append(Member(str(client_id), sorted(partitions)))
    return sorted(members, key=lambda m: m.client_id)


class GroupLag:
    """The records not yet committed by the consumer groups whose names start with `prefix`.

    Counted as records, not offsets: a transaction's commit marker takes an offset but is no
    record, so a group whose last batch ended a transaction stays one offset short of the end
    until more arrives, with nothing left to read."""

    def __init__(self, bootstrap: str, prefix: str = "") -> None:
        self.prefix = prefix
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.probe = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )

    async def start(self) -> None:
        await self.admin.start()
        await self.probe.start()

    async def stop(self) -> None:
        await self.probe.stop()
        await self.admin.close()

    async def groups(self) -> list[str]:
        listed = await self.admin.list_consumer_groups()
        return sorted(g[0] for g in listed if g[0].startswith(self.prefix))

    async def of(self, group: str) -> dict[TopicPartition, int]:
        committed = await self.admin.list_consumer_group_offsets(group)
        ends = await self.probe.end_offsets(list(committed)) if committed else {}
        lag = {tp: 0 for tp in committed}
        behind = {tp: meta.offset for tp, meta in committed.items() if ends[tp] > meta.offset}
        if not behind:
            return lag
        self.probe.assign(list(behind))
        for tp, offset in behind.items():
            self.probe.seek(tp, offset)
        found = await self.probe.getmany(*behind, timeout_ms=1000)
        for tp in behind:
            if records := found.get(tp):
                lag[tp] = sum(1 for r in records if r.offset < ends[tp])
            else:  # what a fetch did not reach yet is still behind
                lag[tp] = max(0, ends[tp] - await self.probe.position(tp))
        return lag

    async def __call__(self) -> dict[str, int]:
        """Each group's lag, by its name without the prefix."""
        return {
            group.removeprefix(self.prefix): sum((await self.of(group)).values())
            for group in await self.groups()
        }


async def consumer_groups(bootstrap: str, prefix: str = "") -> list[Group]:
    """Every consumer group whose name starts with `prefix`, with its members and lag."""
    lag = GroupLag(bootstrap, prefix)
    client = AIOKafkaClient(bootstrap_servers=bootstrap)
    try:
        await lag.start()
        await client.bootstrap()
        groups = {name: Group(name, "unknown") for name in await lag.groups()}
        for group in groups.values():
            coordinator = await lag.admin.find_coordinator(group.name)
            response = await client.send(coordinator, DescribeGroups([group.name]))
            for error_code, _name, state, _type, _protocol, members, *_ in response.groups:
                if not error_code:
                    group.state = state
                    group.members = _members(members)
            group.lag = await lag.of(group.name)
        return list(groups.values())
    finally:
        await client.close()
        await lag.stop()


def _partitions(partitions: list[TopicPartition], prefix: str) -> str:
    by_topic: dict[str, list[int]] = {}
    for tp in partitions:
        by_topic.setdefault(tp.topic.removeprefix(prefix), []).append(tp.partition)
    return " ".join(f"{t}[{','.join(map(str, p))}]" for t, p in sorted(by_topic.items())) or "-"


def report(groups: list[Group], prefix: str = "") -> str:
    if not groups:
        return "no consumer groups"
    lines = []
    for group in groups:
        lines.append(
            f"{group.name}: {group.state}, {len(group.members)} consumer(s), lag {group.total_lag}"
        )
        for member in group.members:
            lines.append(f"  {member.client_id:<12} {_partitions(member.partitions, prefix)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    settings = ServiceSettings()
    parser = argparse.ArgumentParser(
        prog="python -m shared.groups",
        description="The consumer groups: members, their partitions, and the records not yet "
        "committed (lag).",
    )
    parser.add_argument("--bootstrap", default=settings.kafka_bootstrap_servers)
    parser.add_argument("--prefix", default=settings.topic_prefix, help="group and topic prefix")
    args = parser.parse_args(argv)
    try:
        groups = asyncio.run(consumer_groups(args.bootstrap, args.prefix))
    except Exception as error:  # an unreachable broker is an answer for `make status`
        print(f"consumer groups: cannot reach Kafka at {args.bootstrap}: {error}", file=sys.stderr)
        return 1
    print(report(groups, args.prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
