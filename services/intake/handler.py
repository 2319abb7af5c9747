"""A batch of raw records in, inquiries and dead letters out; duplicates are dropped."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import ConsumerRecord

from services.intake.normalise import Ignored, Unreadable, normalise
from shared.bus import Outgoing, dead_letter
from shared.events import InquiryReceived, derived_id
from shared.topics import INQUIRIES_RECEIVED, INTAKE_STAGE, TopicNames
from shared.vocabulary import Channel

log = logging.getLogger(__name__)

SCAN_ID_HEADER = "scan-id"


class SeenStore(Protocol):
    def already_seen(self, keys: Any) -> set[tuple[str, str]]: ...

    def remember(self, entries: Any) -> None: ...


@dataclass
class IntakeBatch:
    outgoing: list[Outgoing] = field(default_factory=list)
    to_remember: list[tuple[str, str, uuid.UUID | None]] = field(default_factory=list)
    outcomes: list[tuple[Channel, str]] = field(default_factory=list)


def _channel_of(topic: str, names: TopicNames) -> Channel | None:
    relative = names.relative(topic)
    try:
        return Channel(relative.removeprefix("intake.raw."))
    except ValueError:
        return None


def process_raw_batch(
    records: Sequence[ConsumerRecord[Any, Any]],
    *,
    seen: SeenStore,
    names: TopicNames,
    salt: str,
) -> IntakeBatch:
    batch = IntakeBatch()
    read: list[tuple[Channel, Any]] = []
    for record in records:
        channel = _channel_of(record.topic, names)
        if channel is None:
            reason = f"topic {record.topic} is not a channel's raw topic"
            batch.outgoing.append(
                dead_letter(INTAKE_STAGE, record, reason, names, producer="intake")
            )
            continue
        headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}
        try:
            result = normalise(
                channel, record.value or b"", salt=salt, scan_id=headers.get(SCAN_ID_HEADER)
            )
        except Unreadable as error:
            batch.outgoing.append(
                dead_letter(INTAKE_STAGE, record, str(error), names, producer="intake")
            )
            batch.outcomes.append((channel, "dead_letter"))
            continue
        except Exception as error:
            log.exception("unexpected error normalising a %s message", channel.value)
            reason = f"intake failed on this message ({type(error).__name__}); kept for replay"
            batch.outgoing.append(
                dead_letter(INTAKE_STAGE, record, reason, names, producer="intake")
            )
            batch.outcomes.append((channel, "dead_letter"))
            continue
        read.append((channel, result))

    known = seen.already_seen((c.value, r.channel_message_id) for c, r in read)
    for channel, result in read:
        key = (channel.value, result.channel_message_id)
        if key in known:
            batch.outcomes.append((channel, "duplicate"))
            continue
        known.add(key)  # a second copy inside the same batch is a duplicate too
        if isinstance(result, Ignored):
            batch.to_remember.append((*key, None))
            batch.outcomes.append((channel, result.why))
            continue
        inquiry_id = derived_id("inquiry", *key)
        event = InquiryReceived.caused_by(
            None, producer="intake", inquiry_id=inquiry_id, payload=result
        )
        batch.outgoing.append(Outgoing(INQUIRIES_RECEIVED, event, key=result.thread_key))
        batch.to_remember.append((*key, inquiry_id))
        batch.outcomes.append((channel, "received"))
    return batch
