"""What each service's AsyncAPI document says travels on the topics it reads and writes: the
event schemas of shared/events.py and the raw payloads of shared/raw.py, by shared/topics.py.

Handlers take raw records and validate each themselves (a bad one becomes a dead letter), and
events are published beneath FastStream's publishers (shared/bus.py), so neither shows its
schema to FastStream by itself: `documented_as` gives a handler's records their schema in the
document only, and `declare_publishers` declares what a stage publishes, for the document only.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Annotated, Any

from faststream.kafka import KafkaBroker
from pydantic import GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue

from shared.raw import (
    ChatTranscript,
    IntercomNotification,
    PhoneNote,
    VisitNote,
    WebForm,
)
from shared.topics import TopicNames, TopicSpec, all_topics, raw_topic
from shared.vocabulary import Channel

# What channel adapters send on intake.raw.<channel>: JSON notes, or the channel's own bytes
# (bytes: RFC 5322 e-mail, a scanned letter's PDF; str: plain text notes and OCR text).
RAW_PAYLOADS: dict[Channel, Any] = {
    Channel.PHONE: PhoneNote | str,
    Channel.EMAIL: bytes,
    Channel.CHAT: ChatTranscript | IntercomNotification,
    Channel.LETTER: str | bytes,
    Channel.IN_PERSON: VisitNote | str,
    Channel.SELF_SERVICE: WebForm,
}
_RAW_TOPICS = {raw_topic(c): payload for c, payload in RAW_PAYLOADS.items()}
_SPECS = {t.name: t for t in all_topics()}


def payload_of(spec: TopicSpec) -> Any:
    """The type of one record on a topic."""
    return spec.schema if spec.schema is not None else _RAW_TOPICS[spec.name]


def payload_of_topics(relative_topics: tuple[str, ...]) -> Any:
    return reduce(or_, dict.fromkeys(payload_of(_SPECS[t]) for t in relative_topics))


def documented_records(relative_topics: tuple[str, ...]) -> Any:
    """A batch handler's records as the document shows them: the topics' schemas where every
    topic is one of the project's, raw bytes where it is not (a benchmark's relay)."""
    if not all(t in _SPECS for t in relative_topics):
        return list[bytes]
    return Annotated[list[bytes], DocumentedAs(*relative_topics)]


class DocumentedAs:
    """Annotates a batch handler's `list[bytes]`: validation stays that of raw bytes (the
    handler decodes each record itself), the AsyncAPI document shows the topics' schema."""

    def __init__(self, *relative_topics: str) -> None:
        self.schema = TypeAdapter(payload_of_topics(relative_topics)).core_schema

    def __get_pydantic_json_schema__(
        self, _: Any, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self.schema)


def declare_publishers(broker: KafkaBroker, names: TopicNames, stage: str) -> None:
    """Every topic `stage` produces (shared/topics.py), with its schema, in the document."""
    for spec in all_topics():
        if stage in spec.producers:
            broker.publisher(
                names(spec.name),
                title=f"{spec.name}:Publish",
                description=f"{stage} publishes to {spec.name}; read by "
                + ", ".join(spec.consumers),
                schema=payload_of(spec),
            )
