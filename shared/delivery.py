"""How a consumer group's batch becomes its outputs exactly once in effect: every service's
subscribers go through here (docs/reliability.md, "Delivery guarantees").

A batch is handled outside any transaction; its outputs and the consumed offsets are then
written in ONE Kafka transaction by a transactional producer of this consumer instance, so a
process killed anywhere leaves either all of a batch's outputs and its offsets, or none: readers
downstream consume `read_committed` and never see an aborted batch. A handler that raises is
retried with back-off, then the batch is split until the failing records stand alone; those
become dead letters and the partition moves on. A broker or database failure is not the
record's fault: the batch is rewound and redone, never dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import InvalidProducerEpoch, KafkaError, ProducerFenced
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from sqlalchemy.exc import InterfaceError, OperationalError

from shared.bus import (
    PRODUCER_SETTINGS,
    Outgoing,
    count_published,
    dead_letter,
    kafka_record,
    publish_confirmed,
    raw_bodies,
)
from shared.contracts import documented_records
from shared.kafka_security import client_options
from shared.member_commit import GroupMember, MemberProducer, NotGroupMember, group_member
from shared.settings import ServiceSettings
from shared.stable_offsets import stable_committed
from shared.topics import TopicNames

log = logging.getLogger(__name__)

Records = Sequence[ConsumerRecord[Any, Any]]
# aiokafka's max_request_size and the broker's message.max.bytes, both about 1 MiB by default;
# the envelope and headers of a record take a few hundred bytes of it.
MAX_RECORD_BYTES = 1024 * 1024 - 4096

# Failures of what a handler depends on, not of the record it reads: retried, never dead-lettered.
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    KafkaError,
    ConnectionError,
    TimeoutError,
    OperationalError,
    InterfaceError,
)


@dataclass
class Handled:
    """What a handler made of some records: the events to publish with their offsets, and what
    to do once they are committed (remember ids, count metrics), which must not run for a batch
    that is redone."""

    outgoing: list[Outgoing] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # The outgoing events as Kafka records, built while the records are handled: an event that
    # cannot be serialised is its record's failure, isolated like any other.
    records: list[dict[str, Any]] = field(default_factory=list)

    def __add__(self, other: Handled) -> Handled:
        return Handled(
            self.outgoing + other.outgoing,
            self.after_commit + other.after_commit,
            self.records + other.records,
        )


Handler = Callable[[Records], Awaitable[Handled]]
# The dead letter of one record the handler keeps failing on, with the reason.
DeadLetterer = Callable[[ConsumerRecord[Any, Any], str], Handled]


@dataclass(frozen=True)
class Attempts:
    """How often a failing handler is tried, and how long to wait in between: exponential,
    with full jitter so that instances failing together do not retry together."""

    limit: int = 3
    backoff_s: float = 0.2
    backoff_max_s: float = 10.0

    def delay(self, failures: int) -> float:
        ceiling = min(self.backoff_max_s, self.backoff_s * 2 ** max(failures - 1, 0))
        return random.uniform(ceiling / 2, ceiling)

    @classmethod
    def of(cls, settings: ServiceSettings) -> Attempts:
        return cls(
            limit=settings.handler_attempts,
            backoff_s=settings.retry_backoff_ms / 1000,
            backoff_max_s=settings.retry_backoff_max_ms / 1000,
        )


def failure_reason(stage: str, error: BaseException, attempts: int) -> str:
    text = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
    described = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return f"{stage} failed on this record {attempts} times ({described})"


async def handle_isolating_poison(
    records: Records,
    handler: Handler,
    *,
    stage: str,
    dead_letter_of: DeadLetterer,
    attempts: Attempts,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> Handled:
    """The handler's result for the whole batch, the failing records as dead letters.

    The batch gets `attempts.limit` tries with back-off (a passing fault heals); then it is cut in
    halves, each tried once, and a half that fails is cut again, so a few bad records among many
    cost a few dozen calls. A record that fails on its own gets the rest of its `limit` tries at
    once, then is dead-lettered. Infrastructure errors propagate at once: the caller redoes the batch.
    """

    async def attempt(part: Records, tries: int, spaced: bool = True) -> Handled | BaseException:
        error: BaseException | None = None
        for tried in range(1, tries + 1):
            try:
                return await handler(part)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception as failure:
                error = failure
                if spaced and tried < tries:
                    await sleep(attempts.delay(tried))
        assert error is not None
        return error

    async def isolate(part: Records, tries: int) -> Handled:
        outcome = await attempt(part, tries)
        if isinstance(outcome, Handled):
            return outcome
        if len(part) == 1:
            if tries < attempts.limit:
                # Alone at last: the rest of its tries, then it is poison. At once: the batch's
                # tries waited already, and a batch of many failing records must not hold its
                # partitions past the consumer's poll interval.
                outcome = await attempt(part, attempts.limit - tries, spaced=False)
                if isinstance(outcome, Handled):
                    return outcome
            log.error(
                "%s dead-letters %s/%s@%s after %d attempts",
                stage,
                part[0].topic,
                part[0].partition,
                part[0].offset,
                attempts.limit,
                exc_info=outcome,
            )
            return dead_letter_of(part[0], failure_reason(stage, outcome, attempts.limit))
        middle = len(part) // 2
        return await isolate(part[:middle], 1) + await isolate(part[middle:], 1)

    if not records:
        return Handled()
    return await isolate(records, attempts.limit)


def next_offsets(records: Records) -> dict[TopicPartition, int]:
    """Per partition, the offset to resume from once the batch is committed."""
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
    return offsets


async def resume_offsets(consumer: Any, records: Records) -> dict[TopicPartition, int]:
    """`next_offsets`, or the consumer's position where it is further on: past the commit
    marker that follows a transaction's records, which is no record of the batch but which a
    commit at the last record + 1 would leave as lag of one forever."""
    offsets = next_offsets(records)
    for tp, offset in offsets.items():
        with contextlib.suppress(Exception):
            offsets[tp] = max(offset, await consumer.position(tp))
    return offsets


async def still_ours(consumer: Any, records: Records) -> list[ConsumerRecord[Any, Any]]:
    """The records whose partition this consumer still holds at the position after them.
    Fetched before a rebalance took the partition away, a record is its new owner's; taken away
    and given back, the partition was rewound to its committed offset and the record comes again.
    """
    owned = consumer.assignment()
    positions: dict[TopicPartition, int] = {}
    for tp in {TopicPartition(r.topic, r.partition) for r in records}:
        if tp in owned:
            positions[tp] = await consumer.position(tp)
    return [
        r for r in records if r.offset < positions.get(TopicPartition(r.topic, r.partition), -1)
    ]


def first_offsets(records: Records) -> dict[TopicPartition, int]:
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = min(offsets.get(tp, record.offset), record.offset)
    return offsets


class OffsetsNotKnown(RuntimeError):
    """A partition's stable committed offsets could not be learnt: its records wait."""


# How long a batch asks again for offsets that were not known on assignment, before it is
# rewound and tried after a pause like any failed batch.
UNKNOWN_OFFSETS_RETRY_S = 5.0


class TransactionExpired(KafkaError):
    """The coordinator aborted a transaction that outlived its timeout: no takeover, the batch
    is redone by a new producer of the same instance."""

    retriable = True


class Fenced(RuntimeError):
    """Another instance with this transactional id started: this one must stop consuming."""


class Delivery:
    """One consumer group's batches of one service instance, each handled and committed once.

    With `settings.kafka_transactions` (the default) the outputs and the offsets go in one
    transaction of a producer whose transactional id is `<group>.<handler>.<instance>`: a restarted
    instance fences its predecessor and aborts what it left open. A partition it is given is read
    from the offsets its previous owner's last transaction committed, even if that transaction is
    still completing (shared/stable_offsets.py), and its offsets are committed only while the
    group membership it read the batch under is current (shared/member_commit.py). Without
    transactions (FastStream's in-memory test broker has none) the outputs are published and
    confirmed, then the offsets committed: at least once.
    """

    def __init__(
        self,
        broker: KafkaBroker,
        settings: ServiceSettings,
        handler: Handler,
        *,
        stage: str,
        dead_letter_of: DeadLetterer | None = None,
    ) -> None:
        self.broker = broker
        self.settings = settings
        self.handler = handler
        self.stage = stage
        self.names = TopicNames(settings.topic_prefix)
        self.group_id = settings.group_id
        # Two subscribers of one service may share a group (reply's): the handler tells them apart.
        self.transactional_id = f"{settings.group_id}.{handler.__name__}.{settings.instance_id}"
        self.attempts = Attempts.of(settings)
        self._stage_dead_letter = dead_letter_of
        self.on_fenced: Callable[[], None] = lambda: None
        self.fenced = False
        self._producer: MemberProducer | None = None
        self._offsets_client: AIOKafkaClient | None = None
        # Per partition given to this instance, the offset its previous owner committed up to:
        # a record below it was handled and committed already.
        self._committed: dict[TopicPartition, int] = {}
        # Partitions given to this instance whose stable committed offsets did not come.
        self._unknown: set[TopicPartition] = set()
        # Held while a batch is handled and committed, and by a revocation: a partition is
        # never handed to another instance while a transaction still commits offsets for it.
        self._batch = asyncio.Lock()
        self._failures = 0

    def _dead_letter(self, record: ConsumerRecord[Any, Any], reason: str) -> Handled:
        if self._stage_dead_letter is not None:
            return self._serialised(self._stage_dead_letter(record, reason))
        letter = dead_letter(self.stage, record, reason, self.names, producer=self.stage)
        return self._serialised(Handled([letter]))

    def _serialised(self, handled: Handled) -> Handled:
        handled.records = [kafka_record(o, self.names, self.broker) for o in handled.outgoing]
        for record in handled.records:
            # The producer would refuse it at the commit, again at every redo: the record's fault.
            if (size := len(record["value"])) > MAX_RECORD_BYTES:
                raise ValueError(
                    f"its {record['topic']} event of {size} bytes is larger than a Kafka record "
                    f"may be ({MAX_RECORD_BYTES} bytes)"
                )
        return handled

    async def _handle(self, records: Records) -> Handled:
        return self._serialised(await self.handler(records))

    @property
    def transactional(self) -> bool:
        return self.settings.kafka_transactions

    async def start(self) -> None:
        """Register the transactional id with the coordinator: fences a predecessor with the
        same id and aborts the transaction it left open, so its outputs never show."""
        if not self.transactional or self._producer is not None:
            return
        producer = MemberProducer(
            **client_options(self.settings),
            client_id=f"{self.settings.service_name}-{self.settings.instance_id}",
            transactional_id=self.transactional_id,
            transaction_timeout_ms=self.settings.transaction_timeout_ms,
            **PRODUCER_SETTINGS,
        )
        try:
            await producer.start()
        except BaseException:
            # Its connections, opened before the start failed; the start's error is the one told.
            with contextlib.suppress(Exception):
                await producer.stop()
            raise
        self._producer = producer

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
        client, self._offsets_client = self._offsets_client, None
        if client is not None:
            await client.close()

    def rebalance_listener(self) -> ConsumerRebalanceListener:
        delivery = self

        class WaitForBatch(ConsumerRebalanceListener):
            async def on_partitions_revoked(self, revoked: Any) -> None:
                async with delivery._batch:
                    pass

            async def on_partitions_assigned(self, assigned: Any) -> None:
                async with delivery._batch:
                    await delivery.learn_committed(assigned)

        return WaitForBatch()

    async def learn_committed(self, partitions: Any, timeout_s: float | None = None) -> None:
        """The offsets committed for partitions just given to this instance, once stable: a
        dead owner's open transaction is aborted within the transaction timeout, or sooner by
        its successor's start. Partitions whose answer does not come stay unknown, and their
        records wait for it (`deliver`)."""
        if not self.transactional or not partitions:
            return
        if self._offsets_client is None:
            self._offsets_client = AIOKafkaClient(**client_options(self.settings))
            await self._offsets_client.bootstrap()
        if timeout_s is None:
            timeout_s = self.settings.transaction_timeout_ms / 1000 + 5
        try:
            committed = await stable_committed(
                self._offsets_client, self.group_id, partitions, timeout_s=timeout_s
            )
        except Exception:
            self._unknown.update(partitions)
            log.warning("%s: committed offsets not known stable yet", self.stage, exc_info=True)
            return
        self._unknown.difference_update(partitions)
        for tp, offset in committed.items():
            if offset is None:
                self._committed.pop(tp, None)
            else:
                self._committed[tp] = offset

    async def ensure_known(self, records: Records) -> None:
        """Ask again for the stable offsets of these records' partitions where the answer did
        not come on assignment; OffsetsNotKnown while it still does not. The consumer's own
        fetch may predate a transaction still completing: reading from it could redo a batch."""
        unknown = {TopicPartition(r.topic, r.partition) for r in records} & self._unknown
        if unknown:
            # After a failed commit of this instance's own, its producer's start ends the
            # transaction it may have left open, which would keep the offsets unstable.
            await self.start()
            await self.learn_committed(unknown, timeout_s=UNKNOWN_OFFSETS_RETRY_S)
        if still := unknown & self._unknown:
            raise OffsetsNotKnown(f"{self.stage}: committed offsets of {sorted(still)} unknown")

    def not_committed(self, records: Records) -> list[ConsumerRecord[Any, Any]]:
        """The records at or after their partition's committed offset as learnt on assignment."""
        return [
            r
            for r in records
            if r.offset >= self._committed.get(TopicPartition(r.topic, r.partition), 0)
        ]

    async def deliver(self, message: KafkaMessage) -> None:
        raw = message.raw_message
        records: Records = raw if isinstance(raw, tuple | list) else (raw,)
        async with self._batch:
            if self.fenced:
                await asyncio.sleep(self.attempts.backoff_max_s)
                raise Fenced(self.transactional_id)
            consumer: Any = getattr(message, "consumer", None)
            member = None
            if self.transactional and consumer is not None:
                records = await still_ours(consumer, records)
            if not records:
                return
            try:
                if self.transactional:
                    member = group_member(consumer)
                    if member is None:
                        raise NotGroupMember(f"{self.stage}: batch read outside group membership")
                    await self.ensure_known(records)
                    records = self.not_committed(records)
                    if not records:
                        return
                handled = await handle_isolating_poison(
                    records,
                    self._handle,
                    stage=self.stage,
                    dead_letter_of=self._dead_letter,
                    attempts=self.attempts,
                )
                await self._commit(handled, records, message, member)
            except (ProducerFenced, InvalidProducerEpoch) as error:
                await self._fence(error)
            except Exception:
                # An infrastructure failure (or a fault of this code, not of a record), a
                # transaction expired among them: read the batch again from what is committed,
                # after a pause; never skip it.
                self._failures += 1
                await self._rewind(consumer, records)
                await asyncio.sleep(self.attempts.delay(self._failures))
                raise
            self._failures = 0
        for effect in handled.after_commit:
            try:
                effect()
            except Exception:
                log.exception(
                    "%s: an after-commit step failed; the batch stays committed", self.stage
                )

    async def _commit(
        self, handled: Handled, records: Records, message: Any, member: GroupMember | None
    ) -> None:
        if not self.transactional:
            await publish_confirmed(self.broker, self.names, handled.outgoing)
            await message.ack()
            return
        assert member is not None, "a transactional batch is read as a group member (deliver)"
        await self.start()
        producer = self._producer
        assert producer is not None
        sent: list[asyncio.Future[Any]] = []
        began = time.monotonic()
        try:
            async with producer.transaction():
                for record in handled.records:
                    sent.append(await producer.send(**record))
                await producer.commit_offsets(
                    await resume_offsets(message.consumer, records), self.group_id, member
                )
        except (ProducerFenced, InvalidProducerEpoch) as error:
            # A broker's death can hold a transaction past its timeout (leaders move only once
            # the controller gives up on the broker); its coordinator then aborts it and bumps
            # the epoch, refusing it as a takeover would. The coordinator's clock starts after
            # ours, so a refusal younger than the timeout by ours can only be a takeover.
            age_ms = (time.monotonic() - began) * 1000
            if age_ms < self.settings.transaction_timeout_ms:
                raise
            raise TransactionExpired(
                f"{self.stage}: a transaction open for {age_ms:.0f} ms outlived its "
                f"{self.settings.transaction_timeout_ms} ms and was aborted; the batch is redone"
            ) from error
        finally:
            # A failed transaction fails its sends too: the commit's error is the one reported.
            for future in sent:
                if future.done() and not future.cancelled():
                    future.exception()
        count_published(self.broker, handled.outgoing)

    async def _rewind(self, consumer: Any, records: Records) -> None:
        """Back to where the batch began. A transaction whose commit failed may yet have gone
        through (its answer lost, its coordinator dead): its partitions' stable committed offsets
        are learnt again before a record of them is handled, so what it committed is skipped.
        Without transactions, back to the committed offsets, as the next owner would start."""
        starts = first_offsets(records)
        if self.transactional:
            # Back first: a producer that fails to stop must not let the batch be skipped.
            if consumer is not None and hasattr(consumer, "committed"):
                self._unknown.update(starts)
                for tp, first in starts.items():
                    consumer.seek(tp, first)
            # A producer whose transaction failed may be unusable: its successor's start
            # completes or aborts what it left open (ensure_known).
            await self.stop()
            return
        if consumer is None or not hasattr(consumer, "committed"):
            return
        for tp, first in starts.items():
            committed = None
            with contextlib.suppress(Exception):
                committed = await consumer.committed(tp)
            consumer.seek(tp, committed if committed is not None else first)

    async def _fence(self, error: KafkaError) -> None:
        self.fenced = True
        log.critical(
            "transactional id %s was taken over by a newer instance: this instance stops consuming",
            self.transactional_id,
        )
        self.on_fenced()
        raise Fenced(self.transactional_id) from error


# Per broker, its deliveries: the service process starts their producers before the broker.
_deliveries: weakref.WeakKeyDictionary[KafkaBroker, list[Delivery]] = weakref.WeakKeyDictionary()


def batch_subscriber(
    broker: KafkaBroker,
    settings: ServiceSettings,
    *relative_topics: str,
    stage: str,
    dead_letter_of: DeadLetterer | None = None,
) -> Callable[[Handler], Handler]:
    """A consumer-group batch subscriber (up to `batch_max_records` records a call) whose
    handler takes the records and returns what it made of them; the rest is `Delivery`'s.

    Reads `read_committed`: an aborted transaction's events never reach a handler. Offsets are
    committed by the transaction (or after the confirmed publish), never by the consumer itself.
    """
    names = TopicNames(settings.topic_prefix)

    def register(handler: Handler) -> Handler:
        delivery = Delivery(broker, settings, handler, stage=stage, dead_letter_of=dead_letter_of)
        subscriber = broker.subscriber(
            *(names(t) for t in relative_topics),
            batch=True,
            group_id=settings.group_id,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_records=settings.batch_max_records,
            batch_timeout_ms=settings.batch_timeout_ms,
            fetch_min_bytes=settings.batch_min_bytes,
            fetch_max_wait_ms=settings.batch_max_wait_ms,
            ack_policy=AckPolicy.MANUAL,
            listener=delivery.rebalance_listener(),
            decoder=raw_bodies,
        )

        async def consume(records: list[bytes], message: KafkaMessage) -> None:
            await delivery.deliver(message)

        # The records stay raw bytes (the handler reads each itself); the AsyncAPI document
        # shows the topics' schemas (shared/contracts.py).
        consume.__annotations__ = {
            "records": documented_records(relative_topics),
            "message": KafkaMessage,
            "return": None,
        }
        # FastStream names the subscriber (and its AsyncAPI operation) after the function.
        consume.__name__ = consume.__qualname__ = handler.__name__
        consume.__doc__ = handler.__doc__
        subscriber(consume)
        _deliveries.setdefault(broker, []).append(delivery)
        return handler

    return register


@asynccontextmanager
async def transactions(broker: KafkaBroker, on_fenced: Callable[[], None]) -> AsyncIterator[None]:
    """The broker's transactional producers, started before it consumes and stopped after."""
    deliveries = _deliveries.get(broker, [])
    for delivery in deliveries:
        delivery.on_fenced = on_fenced
        await delivery.start()
    try:
        yield
    finally:
        for delivery in deliveries:
            await delivery.stop()
