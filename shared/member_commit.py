"""A batch's offsets committed in its transaction as the group member that read the batch
(Kafka's group metadata in TxnOffsetCommit, KIP-447).

aiokafka sends transactional offsets with TxnOffsetCommit version 0, which names only the group:
an instance the group has already rebalanced out (its heartbeats lost while a broker died, say)
can still commit offsets for partitions that now belong to another instance, and the batch the
new owner read from the older offsets is handled twice. Version 3 carries the member id and
generation the batch was read under, and the coordinator refuses a commit from a member or
generation that is no longer current; the transaction is then aborted and the batch left to the
partition's new owner.

`MemberProducer` is aiokafka's transactional producer whose offset commit is that request. It
replaces one step of aiokafka's sender, so aiokafka is pinned to the version it was written
against (pyproject.toml); tests/integration/test_member_commit.py shows a stale member refused.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.client import CoordinationType
from aiokafka.errors import GroupAuthorizationFailedError, KafkaError
from aiokafka.producer.sender import TxnOffsetCommitHandler
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactString,
    Int16,
    Int32,
    Int64,
    Schema,
    TaggedFields,
)

TXN_OFFSET_COMMIT = 28
# ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID.
NOT_A_MEMBER_ANY_MORE = {22: "ILLEGAL_GENERATION", 25: "UNKNOWN_MEMBER_ID",
                         27: "REBALANCE_IN_PROGRESS", 82: "FENCED_INSTANCE_ID"}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class GroupMember:
    """Who read a batch: the consumer's membership in its group at that moment."""

    generation_id: int
    member_id: str
    group_instance_id: str | None = None


class NotGroupMember(KafkaError):
    """The batch was read under a group membership that has ended: its partitions are another
    instance's now, so its offsets must not be committed."""

    retriable = True


def group_member(consumer: Any) -> GroupMember | None:
    """The consumer's current membership, or None while it has none (joining, or lost it).
    aiokafka keeps it on its group coordinator, with no public accessor."""
    coordinator = getattr(consumer, "_coordinator", None)
    generation = getattr(coordinator, "generation", -1)
    member_id = getattr(coordinator, "member_id", "")
    if generation < 0 or not member_id:
        return None
    return GroupMember(generation, member_id, getattr(coordinator, "_group_instance_id", None))


class TxnOffsetCommitResponse_v3(Response):  # noqa: N801 (the protocol's own naming)
    API_KEY = TXN_OFFSET_COMMIT
    API_VERSION = 3
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                (
                    "partitions",
                    CompactArray(
                        ("partition_index", Int32), ("error_code", Int16), ("tags", TaggedFields)
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class TxnOffsetCommitRequest_v3(RequestStruct):  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = TXN_OFFSET_COMMIT
    API_VERSION = 3
    RESPONSE_TYPE = TxnOffsetCommitResponse_v3
    SCHEMA = Schema(
        ("transactional_id", CompactString("utf-8")),
        ("group_id", CompactString("utf-8")),
        ("producer_id", Int64),
        ("producer_epoch", Int16),
        ("generation_id", Int32),
        ("member_id", CompactString("utf-8")),
        ("group_instance_id", CompactString("utf-8")),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                (
                    "partitions",
                    CompactArray(
                        ("partition_index", Int32),
                        ("committed_offset", Int64),
                        ("committed_leader_epoch", Int32),
                        ("committed_metadata", CompactString("utf-8")),
                        ("tags", TaggedFields),
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class MemberTxnOffsetCommit(Request[TxnOffsetCommitRequest_v3]):
    API_KEY = TXN_OFFSET_COMMIT

    def __init__(
        self,
        *,
        transactional_id: str,
        group_id: str,
        producer_id: int,
        producer_epoch: int,
        member: GroupMember,
        offsets: dict[Any, Any],
    ) -> None:
        by_topic: dict[str, list[tuple[int, int, int, str, dict[int, bytes]]]] = defaultdict(list)
        for tp, committed in sorted(offsets.items()):
            by_topic[tp.topic].append((tp.partition, committed.offset, -1, committed.metadata, {}))
        self.fields = (transactional_id, group_id, producer_id, producer_epoch)
        self.member = member
        self.topics: list[tuple[str, list[Any], dict[int, bytes]]] = [
            (topic, partitions, {}) for topic, partitions in by_topic.items()
        ]

    def build(
        self, request_struct_class: type[TxnOffsetCommitRequest_v3]
    ) -> TxnOffsetCommitRequest_v3:
        member = self.member
        return request_struct_class(
            *self.fields,
            member.generation_id,
            member.member_id,
            member.group_instance_id,
            self.topics,
            {},
        )


class _MemberCommitHandler(TxnOffsetCommitHandler):
    """aiokafka's handler with the member in the request; a refusal for membership aborts the
    transaction instead of failing the producer."""

    def __init__(self, sender: Any, offsets: Any, group_id: str, member: GroupMember) -> None:
        super().__init__(sender, offsets, group_id)
        self._member = member

    def create_request(self) -> MemberTxnOffsetCommit:
        txn = self._sender._txn_manager
        return MemberTxnOffsetCommit(
            transactional_id=txn.transactional_id,
            group_id=self._group_id,
            producer_id=txn.producer_id,
            producer_epoch=txn.producer_epoch,
            member=self._member,
            offsets=self._offsets,
        )

    def handle_response(self, resp: TxnOffsetCommitResponse_v3) -> float | None:
        for _topic, partitions, _ in resp.topics:
            for _partition, error_code, _ in partitions:
                if error_code in NOT_A_MEMBER_ANY_MORE:
                    txn = self._sender._txn_manager
                    txn.error_transaction(
                        NotGroupMember(
                            f"offsets of group {self._group_id} refused "
                            f"({NOT_A_MEMBER_ANY_MORE[error_code]}): generation "
                            f"{self._member.generation_id} of {self._member.member_id} has ended"
                        )
                    )
                    # The offsets' caller gets the refusal and aborts; the abort replaces this
                    # waiter, whose exception asyncio would otherwise log as never retrieved.
                    txn.wait_for_transaction_end().exception()
                    return None
        # The rest as aiokafka reads version 0: per topic, (partition, error code) pairs.
        errors = [(topic, [(p, code) for p, code, _ in parts]) for topic, parts, _ in resp.topics]
        result: float | None = super().handle_response(SimpleNamespace(errors=errors))
        return result


class MemberProducer(AIOKafkaProducer):
    """A transactional producer whose offsets go in as `commit_offsets(offsets, group, member)`."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._member: GroupMember | None = None
        self._sender._do_txn_offset_commit = self._txn_offset_commit

    async def commit_offsets(self, offsets: Any, group_id: str, member: GroupMember) -> None:
        """Add the offsets to the open transaction, committed only if `member` is still the
        group's current member when the coordinator receives them; NotGroupMember otherwise."""
        self._member = member
        await self.send_offsets_to_transaction(offsets, group_id)

    async def _txn_offset_commit(self, offsets: Any, group_id: str) -> None:
        # Called by aiokafka's sender, and again until the handler reports success.
        if not offsets:
            return
        assert self._member is not None, "offsets go in through commit_offsets"
        try:
            node_id = await self._sender._find_coordinator(CoordinationType.GROUP, group_id)
        except GroupAuthorizationFailedError as error:
            self._sender._txn_manager.error_transaction(error)
            return
        await _MemberCommitHandler(self._sender, offsets, group_id, self._member).do(node_id)
