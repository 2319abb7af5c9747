"""`python -m demo`: publish the feed onto the raw topics, wait until every inquiry is triaged
and has a reply planned or dead-lettered (and every unreadable one is dead-lettered), print a
summary, and keep running until Ctrl-C (`DEMO_EXIT=1`: exit after the summary)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections import Counter

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from demo.feed import expected_inquiries, load_feed, new_run_id
from shared.events import DeadLettered, InquiryTriaged, ReplyPlanned
from shared.kafka_security import client_options
from shared.settings import ServiceSettings
from shared.topics import (
    INQUIRIES_TRIAGED,
    INTAKE_STAGE,
    REPLIES_PLANNED,
    REPLY_STAGE,
    STAGES,
    TopicNames,
    deadletter_topic,
    raw_topic,
)
from shared.vocabulary import Complexity

WAIT_SECONDS = float(os.environ.get("DEMO_WAIT_SECONDS", "120"))


async def _consumer_at_end(settings: ServiceSettings, topics: list[str]) -> AIOKafkaConsumer:
    """A group-less consumer positioned at the end: it sees this run's events only."""
    consumer = AIOKafkaConsumer(*topics, **client_options(settings), enable_auto_commit=False)
    await consumer.start()
    deadline = time.monotonic() + 30
    while not consumer.assignment():
        if time.monotonic() > deadline:
            await consumer.stop()
            raise SystemExit(f"topics {topics} do not exist: is the pipeline up (make up)?")
        await asyncio.sleep(0.1)
    partitions = list(consumer.assignment())
    await consumer.seek_to_end(*partitions)
    for tp in partitions:
        await consumer.position(tp)
    return consumer


def _table(title: str, counts: Counter[str], total: int | None = None) -> str:
    total = total if total is not None else sum(counts.values())
    lines = [f"\n{title}"]
    for name, n in counts.most_common():
        share = f"{100 * n / total:5.1f} %" if total else ""
        lines.append(f"  {name:<28} {n:>5}  {share}")
    return "\n".join(lines)


async def run_demo() -> int:
    settings = ServiceSettings()
    names = TopicNames(settings.topic_prefix)
    run = f"demo-{new_run_id()}"
    feed = load_feed(run)
    expected = expected_inquiries(feed)
    malformed = sum(i.malformed for i in feed)
    print(f"Feeding {len(feed)} raw inquiries ({malformed} unreadable on purpose), run {run}")

    consumer = await _consumer_at_end(
        settings,
        [
            names(INQUIRIES_TRIAGED),
            names(REPLIES_PLANNED),
            *(names(deadletter_topic(stage)) for stage in STAGES),
        ],
    )
    producer = AIOKafkaProducer(**client_options(settings), acks="all", linger_ms=5)
    await producer.start()
    counted_before = await _counted()
    started = time.monotonic()
    try:
        sends = [
            await producer.send(names(raw_topic(i.channel)), i.body, headers=list(i.headers))
            for i in feed
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()

    triaged: list[InquiryTriaged] = []
    planned: set[uuid.UUID] = set()  # inquiry ids with a reply plan
    dead: list[DeadLettered] = []
    deadline = time.monotonic() + WAIT_SECONDS
    try:

        def unread() -> bool:
            from_intake = sum(d.dead_letter.stage == INTAKE_STAGE for d in dead)
            unanswered = _replies(triaged, planned, dead, run)[0] < len(triaged)
            return len(triaged) < expected or from_intake < malformed or unanswered

        while unread() and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    if record.topic == names(INQUIRIES_TRIAGED):
                        event = InquiryTriaged.model_validate_json(record.value)
                        if event.inquiry.channel_message_id.find(run) >= 0:
                            triaged.append(event)
                    elif record.topic == names(REPLIES_PLANNED):
                        plan = ReplyPlanned.model_validate_json(record.value)
                        if plan.inquiry_id is not None:
                            planned.add(plan.inquiry_id)
                    else:
                        dead.append(DeadLettered.model_validate_json(record.value))
    finally:
        await consumer.stop()
    elapsed = time.monotonic() - started

    print(_summary(triaged, dead, expected, elapsed, _replies(triaged, planned, dead, run)))
    print(await _metrics_check(counted_before, len(triaged), len(dead)))
    if len(triaged) < expected:
        print(
            f"\nOnly {len(triaged)} of {expected} inquiries were triaged in {WAIT_SECONDS:.0f} s."
        )
        return 1
    return 0


def _replies(
    triaged: list[InquiryTriaged], planned: set[uuid.UUID], dead: list[DeadLettered], run: str
) -> tuple[int, int]:
    """Of this run's triaged inquiries: how many reply has dealt with, and how many of those it
    dead-lettered (no way to answer, say, with no contact details on file)."""
    refused = sum(
        d.dead_letter.stage == REPLY_STAGE and run in (d.dead_letter.key or "") for d in dead
    )
    return sum(t.inquiry_id in planned for t in triaged) + refused, refused


def _summary(
    triaged: list[InquiryTriaged],
    dead: list[DeadLettered],
    expected: int,
    elapsed: float,
    replies: tuple[int, int],
) -> str:
    channel = Counter(t.inquiry.channel.value for t in triaged)
    complexity = Counter(t.decision.complexity.value for t in triaged)
    queue = Counter(t.decision.queue for t in triaged)
    department = Counter(t.decision.department.value for t in triaged)
    reply = Counter(t.decision.reply_channel.value for t in triaged)
    language = Counter(t.inquiry.language.value for t in triaged)
    shifted = sum(t.decision.reply_channel.value != t.inquiry.channel.value for t in triaged)
    answered, refused = replies
    decided = complexity[Complexity.SIMPLE] + complexity[Complexity.SPECIALIST]
    parts = [
        "=" * 64,
        f"{len(triaged)} of {expected} inquiries triaged in {elapsed:.1f} s; "
        f"{len(dead)} dead-lettered",
        f"replies planned for {answered - refused}; {refused} could not be planned "
        "(dead-lettered by reply, with the reason)",
        "=" * 64,
        _table("By channel", channel),
        _table("By language", language),
        _table("Simple / specialist / undetermined", complexity),
    ]
    if decided:
        parts.append(
            f"  (of those decided: {100 * complexity[Complexity.SIMPLE] / decided:.0f} % simple, "
            f"{100 * complexity[Complexity.SPECIALIST] / decided:.0f} % specialist; target 80/20)"
        )
    parts += [
        _table("By queue", queue),
        _table("By department", department),
        _table("Recommended reply channel", reply),
        f"  ({shifted} answered on another channel than they came by: channel shift on reply)",
        "\nDead letters",
        *(
            f"  {d.dead_letter.stage} ({d.dead_letter.source_topic}): {d.dead_letter.reason[:100]}"
            for d in dead
        ),
    ]
    return "\n".join(parts)


COUNTED = ("inquiries_received_total", "inquiries_triaged_total", "dead_letters_total")
METRICS_URL = f"http://127.0.0.1:{os.environ.get('METRICS_HTTP_PORT', '9104')}/metrics"


async def _counted() -> Counter[str] | None:
    """The metrics service's totals of what the pipeline counted; None when it cannot be reached."""
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            text = (await client.get(METRICS_URL)).text
    except httpx.HTTPError:
        return None
    totals: Counter[str] = Counter({name: 0 for name in COUNTED})
    for line in text.splitlines():
        name = line.split("{", 1)[0]
        if name in COUNTED:
            totals[name] += int(float(line.rsplit(" ", 1)[1]))
    return totals


async def _metrics_check(before: Counter[str] | None, triaged: int, dead: int) -> str:
    """What the metrics service counted for this run: it consumes the same topics, a little later."""
    if before is None:
        return f"\nThe metrics service is not reachable at {METRICS_URL}."
    deadline = time.monotonic() + 30
    while True:
        now = await _counted()
        if now is None:
            return f"\nThe metrics service stopped answering at {METRICS_URL}."
        run = now - before
        done = run["inquiries_triaged_total"] >= triaged and run["dead_letters_total"] >= dead
        if done or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    counted = ", ".join(f"{k.removesuffix('_total').replace('_', ' ')} {run[k]}" for k in COUNTED)
    return f"\nCounted by the metrics service for this run ({METRICS_URL}): {counted}"


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m demo",
        description=__doc__,
        epilog="DEMO_WAIT_SECONDS: how long to wait for the triaged inquiries (120). The broker "
        "and topic prefix come from the services' settings (KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX).",
    ).parse_args(argv)
    status = asyncio.run(run_demo())
    if os.environ.get("DEMO_EXIT") == "1" or status != 0:
        return status
    # deploy/run-demo made a gateway key in development: the front door a channel system uses.
    if front_door := os.environ.get("DEMO_FRONT_DOOR"):
        print(
            f"\nPost an e-mail through the HTTP gateway, as a channel system would:\n{front_door}"
        )
    desk = f"http://127.0.0.1:{os.environ.get('DESK_HTTP_PORT', '9105')}/"
    print(
        f"\nThe caseworkers' desk: {desk}  (demo login: lead / demo, every queue; anna / demo,"
        " the contact centre; dina / demo, BUF's specialists; docs/desk.md)"
        "\nThe pipeline keeps running (make status; metrics on :9101-9104/metrics). Ctrl-C stops it."
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
