"""A consumer group's committed offsets once no transaction is still committing newer ones
(Kafka's "stable" offset fetch, KIP-447).

aiokafka asks for committed offsets with OffsetFetch version 3, which answers with what is
committed at that moment: when a partition moves to another instance just after its previous
owner's transaction committed, the offsets in that transaction may not be written yet, and the new
owner would start from the offsets before it and handle that batch a second time. Version 7 with
`require_stable` answers only once such transactions are complete (or says so with
UNSTABLE_OFFSET_COMMIT, and is asked again). `shared.delivery` asks it for every partition it is
given and skips the records below the answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka import TopicPartition
from aiokafka.client import AIOKafkaClient, CoordinationType
from aiokafka.errors import (
    BrokerResponseError,
    CoordinatorNotAvailableError,
    GroupLoadInProgressError,
    KafkaConnectionError,
    NodeNotReadyError,
    NotCoordinatorForGroupError,
    RequestTimedOutError,
    for_code,
)
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    Boolean,
    CompactArray,
    CompactString,
    Int16,
    Int32,
    Int64,
    Schema,
    TaggedFields,
)

OFFSET_FETCH = 9


class UnstableOffsetCommitError(BrokerResponseError):
    """Not among aiokafka's errors: a transaction is still committing offsets of the group."""

    errno = 88
    message = "UNSTABLE_OFFSET_COMMIT"
    retriable = True


# The coordinator moves, or its broker cannot be reached (it died; the group moves soon).
MOVING = (
    NotCoordinatorForGroupError,
    CoordinatorNotAvailableError,
    NodeNotReadyError,
    KafkaConnectionError,
    RequestTimedOutError,
)
# Asked again after these: a transaction is completing, or the coordinator loads or moves.
AGAIN = (UnstableOffsetCommitError, GroupLoadInProgressError, *MOVING)


class OffsetFetchResponse_v7(Response):  # noqa: N801 (the protocol's own naming)
    API_KEY = OFFSET_FETCH
    API_VERSION = 7
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
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
                        ("metadata", CompactString("utf-8")),
                        ("error_code", Int16),
                        ("tags", TaggedFields),
                    ),
                ),
                ("tags", TaggedFields),
            ),
        ),
        ("error_code", Int16),
        ("tags", TaggedFields),
    )


class OffsetFetchRequest_v7(RequestStruct):  # noqa: N801
    FLEXIBLE_VERSION = True
    API_KEY = OFFSET_FETCH
    API_VERSION = 7
    RESPONSE_TYPE = OffsetFetchResponse_v7
    SCHEMA = Schema(
        ("group_id", CompactString("utf-8")),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("partition_indexes", CompactArray(Int32)),
                ("tags", TaggedFields),
            ),
        ),
        ("require_stable", Boolean),
        ("tags", TaggedFields),
    )


class StableOffsetFetch(Request[OffsetFetchRequest_v7]):
    API_KEY = OFFSET_FETCH

    def __init__(self, group: str, partitions: Iterable[TopicPartition]) -> None:
        by_topic: dict[str, list[int]] = {}
        for tp in partitions:
            by_topic.setdefault(tp.topic, []).append(tp.partition)
        self.group = group
        self.topics: list[tuple[str, list[int], dict[int, bytes]]] = [
            (topic, sorted(p), {}) for topic, p in sorted(by_topic.items())
        ]

    def build(self, request_struct_class: type[OffsetFetchRequest_v7]) -> OffsetFetchRequest_v7:
        return request_struct_class(self.group, self.topics, True, {})


def _fail(error_code: int) -> None:
    if error_code == UnstableOffsetCommitError.errno:
        raise UnstableOffsetCommitError()
    if error_code:
        raise for_code(error_code)()


def _read(response: OffsetFetchResponse_v7) -> dict[TopicPartition, int | None]:
    """Each partition's committed offset (None: nothing committed)."""
    _fail(response.error_code)
    offsets: dict[TopicPartition, int | None] = {}
    for topic, partitions, _tags in response.topics:
        for partition, offset, _epoch, _metadata, error_code, _ in partitions:
            _fail(error_code)
            offsets[TopicPartition(topic, partition)] = offset if offset >= 0 else None
    return offsets


async def stable_committed(
    client: AIOKafkaClient,
    group: str,
    partitions: Iterable[TopicPartition],
    *,
    timeout_s: float,
    pause_s: float = 0.1,
) -> dict[TopicPartition, int | None]:
    """The group's committed offsets of these partitions once no transaction is committing
    offsets for them; TimeoutError if one still is after `timeout_s` (a transaction of a dead
    producer lasts until its timeout or its successor's start)."""
    request = StableOffsetFetch(group, partitions)
    if not request.topics:
        return {}
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            coordinator = await client.coordinator_lookup(CoordinationType.GROUP, group)
            return _read(await client.send(coordinator, request))
        except AGAIN as error:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"offsets of group {group} not stable after {timeout_s:.0f} s ({error!r})"
                ) from error
            if isinstance(error, MOVING):
                client.force_metadata_update()
            await asyncio.sleep(pause_s)
