"""A batch of raw records in, inquiries and dead letters out; duplicates are dropped.

Every record ends as exactly one outcome: `received`, `dead_letter`, `duplicate`, or the reason
it is not an inquiry (`auto_reply`, `delivery_report`). A dead letter's bytes on the bus have
their CPR numbers masked; the untouched original stays in intake's own store (docs/intake.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aiokafka import ConsumerRecord

from services.intake.cpr import mask_bytes
from services.intake.encoded import holds_cpr_in_bytes, mask
from services.intake.language import DEFAULT_MIN_CONFIDENCE
from services.intake.normalise import Failed, Ignored, Normalised, Refused, read_messages
from services.intake.store import Claim
from shared.bus import DEAD_LETTER_MAX_BYTES, Outgoing, dead_letter
from shared.events import InquiryReceived, derived_id
from shared.topics import INQUIRIES_RECEIVED, INTAKE_STAGE, TopicNames
from shared.vocabulary import Channel

log = logging.getLogger(__name__)

RECEIVED = "received"
DEAD_LETTER = "dead_letter"
DUPLICATE = "duplicate"
UNKNOWN_CHANNEL = "unknown"


class SeenStore(Protocol):
    def claim(self, claims: Sequence[Claim]) -> dict[tuple[str, str], str | None]: ...


@dataclass
class IntakeBatch:
    outgoing: list[Outgoing] = field(default_factory=list)
    # (sha256, content type, bytes) for intake's originals store: never on the bus.
    originals: list[tuple[str, str, bytes]] = field(default_factory=list)
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (channel, outcome)


def channel_of(topic: str, names: TopicNames) -> Channel | None:
    relative = names.relative(topic)
    if not relative.startswith("intake.raw."):
        return None
    try:
        return Channel(relative.removeprefix("intake.raw."))
    except ValueError:
        return None


def record_headers(record: ConsumerRecord[Any, Any]) -> dict[str, str]:
    return {k.lower(): v.decode("utf-8", "replace") for k, v in (record.headers or ())}


def position_of(record: ConsumerRecord[Any, Any]) -> str:
    return f"{record.topic}:{record.partition}:{record.offset}"


def inquiry_id_of(channel: Channel, channel_message_id: str) -> uuid.UUID:
    """The same message always becomes the same inquiry: a resend is recognised downstream."""
    return derived_id("inquiry", channel.value, channel_message_id)


def _carried(value: bytes) -> bytes | None:
    """Bytes as a dead letter may carry them: CPR numbers masked, or none at all when one is
    still there in an encoding (base64, quoted-printable, an encoded header) that masking in
    place would have to decode and rebuild."""
    masked = mask_bytes(value)
    return None if holds_cpr_in_bytes(masked) else masked


def _dead_letter(
    batch: IntakeBatch, record: ConsumerRecord[Any, Any], reason: str, names: TopicNames
) -> None:
    original = record.value or b""
    carried = _carried(original[:DEAD_LETTER_MAX_BYTES])
    kept_at = None
    if carried != original:
        kept_at = hashlib.sha256(original).hexdigest()
        batch.originals.append((kept_at, "application/octet-stream", original))
    if carried is None:
        reason += " (the message holds a CPR number in an encoded form: only intake's store has it)"
    elif len(carried) < len(original):
        reason += f" (the first {len(carried)} of {len(original)} bytes here)"
    masked_record = dataclasses.replace(
        record,
        value=carried or b"",
        key=(_carried(record.key) or b"") if record.key else record.key,
        headers=tuple((k, _carried(v) or b"") for k, v in (record.headers or ())),
    )
    batch.outgoing.append(
        dead_letter(
            INTAKE_STAGE,
            masked_record,
            mask(reason).text,
            names,
            producer="intake",
            original_sha256=kept_at,
        )
    )


def dead_letter_batch(
    record: ConsumerRecord[Any, Any], reason: str, names: TopicNames
) -> IntakeBatch:
    """A raw record intake keeps failing on, as a dead letter masked like any other."""
    batch = IntakeBatch()
    _dead_letter(batch, record, reason, names)
    channel = channel_of(record.topic, names)
    batch.outcomes.append((channel.value if channel else UNKNOWN_CHANNEL, DEAD_LETTER))
    return batch


def process_raw_batch(
    records: Sequence[ConsumerRecord[Any, Any]],
    *,
    seen: SeenStore,
    names: TopicNames,
    salt: str,
    min_language_confidence: float = DEFAULT_MIN_CONFIDENCE,
    now: datetime | None = None,
) -> IntakeBatch:
    batch = IntakeBatch()
    channels = [channel_of(record.topic, names) for record in records]
    results = iter(
        read_messages(
            [
                (channel, record.value or b"", record_headers(record))
                for record, channel in zip(records, channels, strict=True)
                if channel is not None
            ],
            salt=salt,
            now=now,
            min_language_confidence=min_language_confidence,
        )
    )
    read: list[tuple[ConsumerRecord[Any, Any], Channel, Normalised | Ignored]] = []
    for record, channel in zip(records, channels, strict=True):
        if channel is None:
            reason = f"topic {names.relative(record.topic)} is not a channel's raw topic"
            _dead_letter(batch, record, reason, names)
            batch.outcomes.append((UNKNOWN_CHANNEL, DEAD_LETTER))
            continue
        result = next(results)
        if isinstance(result, Refused):
            _dead_letter(batch, record, result.reason, names)
            batch.outcomes.append((channel.value, DEAD_LETTER))
            continue
        if isinstance(result, Failed):
            # A bug of ours, not the sender's: kept for replay once it is fixed.
            log.error(
                "unexpected %s normalising a %s message, at:\n%s",
                result.error,
                channel,
                result.stack,
            )
            reason = f"intake failed on this message ({result.error}); kept for replay"
            _dead_letter(batch, record, reason, names)
            batch.outcomes.append((channel.value, DEAD_LETTER))
            continue
        read.append((record, channel, result))

    # Claimed before anything is published: a copy of a message (in this batch, in another
    # instance's, or read after a crash) finds its id claimed by another record and is dropped,
    # while the claiming record itself, read again after an aborted commit, publishes again.
    claimants = seen.claim(
        [
            Claim(
                channel.value,
                result.channel_message_id,
                inquiry_id_of(channel, result.channel_message_id)
                if isinstance(result, Normalised)
                else None,
                position_of(record),
            )
            for record, channel, result in read
        ]
    )
    for record, channel, result in read:
        key = (channel.value, result.channel_message_id)
        if claimants.get(key) != position_of(record):
            batch.outcomes.append((channel.value, DUPLICATE))
            continue
        if isinstance(result, Ignored):
            batch.outcomes.append((channel.value, result.why))
            continue
        inquiry = result.inquiry
        inquiry_id = inquiry_id_of(channel, inquiry.channel_message_id)
        event = InquiryReceived.caused_by(
            None, producer="intake", inquiry_id=inquiry_id, payload=inquiry
        )
        batch.outgoing.append(Outgoing(INQUIRIES_RECEIVED, event, key=inquiry.thread_key))
        batch.originals.extend((o.sha256, o.content_type, o.data) for o in result.originals)
        batch.outcomes.append((channel.value, RECEIVED))
    return batch
