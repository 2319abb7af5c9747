"""How every service talks to Kafka: the broker, topic provisioning, batch decoding,
confirmed batch publishing and dead letters. One piece of code for all four services."""

from __future__ import annotations

import asyncio
import base64
import logging
import weakref
from collections import Counter as Tally
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.response import KafkaPublishCommand
from faststream.message import StreamMessage
from faststream.response.publish_type import PublishType
from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError

from shared import tracing
from shared.events import DeadLetter, DeadLettered, Envelope
from shared.kafka_security import broker_security, client_options, credentials_checked
from shared.settings import ServiceSettings
from shared.topics import TopicNames, deadletter_topic, is_raw_topic

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Envelope)


@dataclass(frozen=True)
class Outgoing:
    """One event for one topic (relative name), keyed by the inquiry's thread."""

    topic: str
    event: Envelope
    key: str | None = None


# Every service's producer, and the benchmark's bus-only baseline (benchmarks/relay.py).
# Idempotent with acks=all: a retried send never duplicates a record. No linger: a handler
# sends its whole batch before it awaits anything, so lingering only delays each
# acknowledgement (docs/performance.md). aiokafka's default partitioner is Kafka's, so a
# thread's events stay on one partition whichever client sent them.
PRODUCER_SETTINGS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "linger_ms": 0,
    "max_batch_size": 256 * 1024,
}


# Per broker, the events it published, by topic: `publish_confirmed` counts a batch at a time.
_published: weakref.WeakKeyDictionary[KafkaBroker, Counter] = weakref.WeakKeyDictionary()


def make_broker(settings: ServiceSettings, registry: CollectorRegistry) -> KafkaBroker:
    broker = KafkaBroker(
        # A list: FastStream takes a comma-separated string for a single host.
        settings.kafka_bootstrap_servers.split(","),
        client_id=f"{settings.service_name}-{settings.instance_id}",  # which instance, in groups
        security=broker_security(settings),
        **PRODUCER_SETTINGS,
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=settings.service_name)],
        graceful_timeout=15.0,
        # FastStream logs every batch at INFO; the service's level decides. A plain logger, so
        # its lines go through the service's formatter (shared/logs.py) like every other.
        logger=logging.getLogger(f"{__name__}.faststream"),
        log_level=logging.getLevelName(settings.log_level.upper()),
    )
    tracing.instrument(broker, settings)
    _published[broker] = Counter(
        "events_published",
        "Events published and acknowledged by the broker, by topic",
        ["topic"],
        registry=registry,
    )
    return broker


def retention_ms(settings: ServiceSettings, relative_name: str) -> int:
    """How long a topic keeps its records: the raw topics only as long as intake needs them."""
    if is_raw_topic(relative_name):
        return settings.raw_topic_retention_ms
    return settings.topic_retention_ms


# A killed broker stays in the cluster's metadata until the controller gives up on it (about
# nine seconds), and the admin client asks a broker at random: a service starting meanwhile asks
# again rather than fail its start.
ADMIN_ATTEMPTS = 15
ADMIN_RETRY_S = 1.0


async def ensure_topics(settings: ServiceSettings, relative_names: Iterable[str]) -> None:
    """Create the topics a service uses; auto-creation is off on the broker by design."""
    if not settings.provision_topics:
        return
    relative = list(dict.fromkeys(relative_names))
    for attempt in range(1, ADMIN_ATTEMPTS + 1):
        try:
            with credentials_checked():
                await _create_missing_topics(settings, relative)
            return
        except (KafkaError, TimeoutError) as error:
            # A TimeoutError: the controller did not answer in time, worth asking again; refused
            # credentials are not.
            if not getattr(error, "retriable", True) or attempt == ADMIN_ATTEMPTS:
                raise
            log.warning("the topics could not be checked yet (%r); asking again", error)
            await asyncio.sleep(ADMIN_RETRY_S)


async def _create_missing_topics(settings: ServiceSettings, relative_names: list[str]) -> None:
    names = TopicNames(settings.topic_prefix)
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        wanted = [names(t) for t in relative_names if names(t) not in existing]
        if not wanted:
            return
        new_topics = [
            NewTopic(
                name,
                num_partitions=settings.topic_partitions,
                replication_factor=settings.topic_replication_factor,
                topic_configs={
                    "retention.ms": str(retention_ms(settings, names.relative(name))),
                    "min.insync.replicas": str(settings.topic_min_insync_replicas),
                },
            )
            for name in wanted
        ]
        created = await admin.create_topics(new_topics)
        # The answer holds an error per topic, which aiokafka does not raise. Another service
        # may have created one first: that is fine.
        for name, code, *message in created.topic_errors:
            if code not in (0, TopicAlreadyExistsError.errno):
                said = f": {message[0]}" if message and message[0] else ""
                raise for_code(code)(f"topic {name} was not created{said}")
        log.info("created topics %s", ", ".join(wanted))
    finally:
        await admin.close()


def event_headers(broker: KafkaBroker, topic: str, event: Envelope) -> dict[str, str]:
    """The headers of every event the services publish, built here only: the type, the
    inquiry's correlation id and, when tracing is on, the trace context of its inquiry."""
    headers = {
        "content-type": "application/json",
        "event-type": event.event_type,
        "correlation_id": str(event.correlation_id),
    }
    return tracing.event_headers(broker, topic, event, headers)


def kafka_record(o: Outgoing, names: TopicNames, broker: KafkaBroker) -> dict[str, Any]:
    """An outgoing event as aiokafka's `send` takes it (the transactional producer's path)."""
    topic = names(o.topic)
    return {
        "topic": topic,
        "value": o.event.model_dump_json().encode(),
        "key": o.key.encode() if o.key else None,
        "headers": [(k, v.encode()) for k, v in event_headers(broker, topic, o.event).items()],
    }


def count_published(broker: KafkaBroker, outgoing: Sequence[Outgoing]) -> None:
    if (published := _published.get(broker)) is not None:
        for topic, count in Tally(o.topic for o in outgoing).items():
            published.labels(topic).inc(count)


async def publish_confirmed(
    broker: KafkaBroker, names: TopicNames, outgoing: Sequence[Outgoing]
) -> None:
    """Send every event without waiting for each, then wait for all acknowledgements.

    The producer batches per partition underneath, keys keep a conversation on one partition,
    and the caller commits its offsets only after this returns: at-least-once at batch speed.
    Consumers' outputs go through `shared.delivery` instead, in a transaction with their offsets.

    Sent through FastStream's producer beneath its publish middlewares, whose per-message
    Prometheus scope cost more than the send itself (docs/performance.md), so
    `events_published_total` counts a batch at a time.
    """
    producer = broker.config.producer
    futures = [
        await producer.publish(
            KafkaPublishCommand(
                o.event.model_dump_json().encode(),
                topic=names(o.topic),
                key=o.key.encode() if o.key else None,
                headers=event_headers(broker, names(o.topic), o.event),
                correlation_id=str(o.event.correlation_id),
                no_confirm=True,
                _publish_type=PublishType.PUBLISH,
            )
        )
        for o in outgoing
    ]
    # FastStream's in-memory test broker delivers at once and hands back no future.
    pending = [f for f in futures if f is not None]
    if pending:
        await asyncio.gather(*pending)
    count_published(broker, outgoing)


# A dead letter must fit in one Kafka record (1 MiB by default) with its envelope, and base64
# grows bytes by a third: a larger original travels as its start.
DEAD_LETTER_MAX_BYTES = 512 * 1024


def dead_letter(
    stage: str,
    record: ConsumerRecord[Any, Any],
    reason: str,
    names: TopicNames,
    *,
    producer: str,
    original_sha256: str | None = None,
) -> Outgoing:
    """The original bytes and a reason a person understands, on deadletter.<stage>.

    A stage that masks personal data in `record` names where it keeps the untouched bytes.
    """
    original = record.value or b""
    if len(original) > DEAD_LETTER_MAX_BYTES:
        reason += f" (the first {DEAD_LETTER_MAX_BYTES} of {len(original)} bytes here)"
        original = original[:DEAD_LETTER_MAX_BYTES]
    letter = DeadLetter(
        stage=stage,
        reason=reason,
        source_topic=names.relative(record.topic),
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode("utf-8", "replace") if record.key else None,
        headers={k: v.decode("utf-8", "replace") for k, v in (record.headers or ())},
        original=base64.b64encode(original),
        original_sha256=original_sha256,
    )
    event = DeadLettered.caused_by(
        None,
        producer=producer,
        inquiry_id=None,
        discriminator=f"{record.topic}/{record.partition}/{record.offset}",
        dead_letter=letter,
    )
    return Outgoing(deadletter_topic(stage), event, key=letter.key)


def decode_events(
    records: Sequence[ConsumerRecord[Any, Any]],
    schema: type[E],
    *,
    stage: str,
    names: TopicNames,
    producer: str,
) -> tuple[list[E], list[Outgoing]]:
    """Validate each record on its own: one bad message becomes a dead letter, not a stuck batch."""
    events: list[E] = []
    dead: list[Outgoing] = []
    for record in records:
        try:
            events.append(schema.model_validate_json(record.value or b""))
        except ValidationError as error:
            reason = f"not a valid {schema.EVENT_TYPE} event: " + "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}"
                for e in error.errors()[:5]
            )
            dead.append(dead_letter(stage, record, reason, names, producer=producer))
    return events, dead


async def raw_bodies(message: StreamMessage[Any]) -> Any:
    """Skip FastStream's JSON decoding: handlers validate each record themselves."""
    return message.body


def first_seen(events: Iterable[E]) -> list[E]:
    """Drop repeats of the same event_id inside one batch (redelivery, replays)."""
    return list({e.event_id: e for e in events}.values())
