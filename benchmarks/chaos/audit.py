"""What the pipeline holds at the end of a chaos run, read with a read_committed consumer from the
start of every topic of the run: one count per question of docs/reliability.md."""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer

from benchmarks.inquiry_mix import InquiryMix
from shared.events import (
    DeadLettered,
    InquiryReceived,
    InquiryRouted,
    InquiryTriaged,
    OutboxMessage,
    ReplyPlanned,
)
from shared.topics import (
    INQUIRIES_RECEIVED,
    INQUIRIES_TRIAGED,
    OUTBOX_CHANNELS,
    REPLIES_PLANNED,
    STAGES,
    TopicNames,
    deadletter_topic,
    outbox_topic,
    queue_topic,
)
from shared.vocabulary import ALL_QUEUES

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Holdings:
    """Everything read, reduced to the counts the table needs."""

    routed: Counter[str] = field(default_factory=Counter)  # triage's copies, by inquiry id
    routed_numbers: set[int] = field(default_factory=set)  # the feed's message numbers
    routed_at: list[int] = field(default_factory=list)  # record timestamps (ms)
    callbacks: Counter[str] = field(default_factory=Counter)  # reply's tasks, by inquiry id
    received: set[str] = field(default_factory=set)
    triaged: set[str] = field(default_factory=set)
    # (inquiry id, kind) -> the plan ids made for it: two plans are two replies to send
    planned: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    plan_records: int = 0
    email_plans: dict[str, tuple[str, str]] = field(default_factory=dict)  # plan id -> key
    outbox: Counter[tuple[str, str]] = field(default_factory=Counter)  # (inquiry, channel)
    dead_letters: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, reason)
    dead_letter_records: set[tuple[str, str, int | None, int | None]] = field(default_factory=set)
    dead_lettered_numbers: set[int] = field(default_factory=set)  # the feed's, by their originals


async def read_all(bootstrap: str, names: TopicNames, mix: InquiryMix) -> Holdings:
    """Every record committed to the run's topics, up to their ends as they are now."""
    topics = {
        **{names(queue_topic(q)): "queue" for q in ALL_QUEUES},
        names(INQUIRIES_RECEIVED): "received",
        names(INQUIRIES_TRIAGED): "triaged",
        names(REPLIES_PLANNED): "planned",
        **{names(outbox_topic(c)): "outbox" for c in OUTBOX_CHANNELS},
        **{names(deadletter_topic(s)): "dead" for s in STAGES},
    }
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    held = Holdings()
    await consumer.start()
    try:
        deadline = time.monotonic() + 60
        while len({tp.topic for tp in consumer.assignment()}) < len(topics):
            if time.monotonic() > deadline:
                raise TimeoutError("the audit consumer got no partitions of the run's topics")
            await consumer.getmany(timeout_ms=200)
        partitions = list(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        # With read_committed, the end is the last stable offset: open transactions stay unread.
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + 600
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    "the audit could not read the run's topics to their end in 600 s"
                )
            for tp, records in (await consumer.getmany(timeout_ms=500, max_records=5000)).items():
                for record in records:
                    _take(held, topics[tp.topic], record, mix)
    finally:
        await consumer.stop()
    return held


def _take(held: Holdings, kind: str, record: Any, mix: InquiryMix) -> None:
    value: bytes = record.value or b""
    if kind == "queue":
        routed = InquiryRouted.model_validate_json(value)
        if routed.callback is not None:
            held.callbacks[str(routed.inquiry_id)] += 1
            return
        held.routed[str(routed.inquiry_id)] += 1
        held.routed_at.append(record.timestamp)
        if (number := mix.number_in(value)) is not None:
            held.routed_numbers.add(number)
    elif kind == "received":
        held.received.add(str(InquiryReceived.model_validate_json(value).inquiry_id))
    elif kind == "triaged":
        held.triaged.add(str(InquiryTriaged.model_validate_json(value).inquiry_id))
    elif kind == "planned":
        planned = ReplyPlanned.model_validate_json(value)
        held.plan_records += 1
        held.planned[(str(planned.inquiry_id), planned.plan.kind)].add(str(planned.plan.plan_id))
        if planned.plan.delivery == "email":
            held.email_plans[str(planned.plan.plan_id)] = (
                str(planned.inquiry_id),
                planned.plan.kind,
            )
    elif kind == "outbox":
        message = OutboxMessage.model_validate_json(value)
        held.outbox[(str(message.inquiry_id), message.reply_channel.value)] += 1
    else:
        letter = DeadLettered.model_validate_json(value).dead_letter
        where = (letter.source_topic, letter.partition, letter.offset)
        held.dead_letter_records.add((letter.stage, *where))
        held.dead_letters[(letter.stage, letter.reason[:100])] += 1
        if (number := mix.number_in(letter.original)) is not None:
            held.dead_lettered_numbers.add(number)


def emails(held: Holdings, delivered: Counter[str]) -> dict[str, int]:
    """E-mails at the sink against the e-mail replies planned. An e-mail is known by the reply it
    carries: the plan id (or any planned reply's id) inside its Message-ID, else the Message-ID."""
    by_reply: Counter[tuple[str, str] | str] = Counter()
    for message_id, count in delivered.items():
        reply = next(
            (held.email_plans[u] for u in _UUID.findall(message_id) if u in held.email_plans), None
        )
        by_reply[reply if reply is not None else message_id] += count
    wanted = set(held.email_plans.values())
    known = [n for k, n in by_reply.items() if k in wanted]
    unknown = [n for k, n in by_reply.items() if k not in wanted]
    return {
        "planned": len(wanted),
        "once": sum(1 for n in known if n == 1),
        # an e-mail the audit cannot tie to a plan still counts when its Message-ID came twice
        "twice_or_more": sum(1 for n in known + unknown if n > 1),
        "never": len(wanted - set(by_reply)),
        "unknown_at_sink": len(unknown),
    }


# Fault and acceptance moments are both rounded to a tenth of a second.
_MOMENT = 0.1


def email_repeats_without_a_reply_kill(
    accepted_twice_at: Mapping[str, list[float]], reply_kills: Iterable[float]
) -> list[str]:
    """The e-mails accepted again that SMTP's own window does not explain. A reply instance
    killed after the server's 250 and before it records the send leaves that e-mail to be sent
    again when its lease runs out (docs/reliability.md); an instance sends one e-mail at a time,
    so each repeat needs a reply kill of its own between the acceptance before it and itself."""
    kills = sorted(reply_kills)
    repeats = sorted(
        (again, before, message_id)
        for message_id, times in accepted_twice_at.items()
        for before, again in itertools.pairwise(sorted(times))
    )
    unexplained = []
    # Earliest-ending repeat first, each given the earliest kill it can use: the most repeats
    # explained, each by a kill of its own.
    for again, before, message_id in repeats:
        kill = next((k for k in kills if before - _MOMENT <= k <= again + _MOMENT), None)
        if kill is None:
            unexplained.append(message_id)
        else:
            kills.remove(kill)
    return sorted(set(unexplained))


def longest_pause_ms(timestamps: Iterable[int]) -> int:
    ordered = sorted(timestamps)
    return max((b - a for a, b in itertools.pairwise(ordered)), default=0)


def duplicated(counts: Counter[Any]) -> int:
    return sum(1 for n in counts.values() if n > 1)


def by_reason(held: Holdings) -> list[dict[str, Any]]:
    grouped: dict[str, Counter[str]] = defaultdict(Counter)
    for (stage, reason), n in held.dead_letters.items():
        grouped[stage][reason] += n
    return [
        {"stage": stage, "reason": reason, "count": n}
        for stage, reasons in sorted(grouped.items())
        for reason, n in reasons.most_common()
    ]
