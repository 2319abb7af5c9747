"""The caseworker's command on the real broker: taking work from the work table fed by the
queue topics, the tables a person reads, and actions (a reroute as a correction) that reach the bus and the reply store."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.events import CaseworkerAction, InquiryRouted, InquiryTriaged
from shared.topics import CASEWORKER_ACTIONS, INQUIRIES_TRIAGED, REPLIES_PLANNED, queue_topic
from shared.vocabulary import CaseworkerActionKind, Complexity, Department
from tests.conftest import run_module
from tests.integration.reply_harness import ReplyHarness, running_reply
from tests.unit.reply.inquiries import local, triaged

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
async def reply(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ReplyHarness]:
    state = Path(tmp_path_factory.mktemp("caseworker"))
    prefix = f"cw{uuid.uuid4().hex[:8]}."
    async with running_reply(kafka_bootstrap, prefix, state, local(2026, 12, 4, 10)) as harness:
        yield harness


def routed(event: InquiryTriaged) -> InquiryRouted:
    """What triage puts on the queue topic beside the triaged event."""
    return InquiryRouted(
        **{**event.model_dump(), "event_type": InquiryRouted.EVENT_TYPE, "event_id": uuid.uuid4()}
    )


def queue_command(reply: ReplyHarness, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command as a person runs it, in a process of its own."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": reply.settings.kafka_bootstrap_servers,
        "TOPIC_PREFIX": reply.settings.topic_prefix,
        "DATABASE_URL": reply.settings.database_url or "",
        "REPLY_CASEWORKER": "anna",
        "COLUMNS": "200",
    }
    return run_module("services.reply", "queue", *argv, env=env)


async def plans_stored(reply: ReplyHarness, *events: InquiryTriaged) -> None:
    ids = [e.inquiry_id for e in events]
    await reply.wait_for(
        lambda: len(reply.store.plans_for(i for i in ids if i)) == len(ids), what="the plans"
    )


async def test_two_caseworkers_taking_from_one_queue_never_get_the_same_inquiry(
    reply: ReplyHarness,
) -> None:
    queue = "specialist.BIF"
    events = [
        triaged(complexity=Complexity.SPECIALIST, department=Department.BIF, queue=queue)
        for _ in range(8)
    ]
    for event in events:
        await reply.publish(queue_topic(queue), routed(event), key=event.inquiry.thread_key)

    anna, bo = await asyncio.gather(
        asyncio.to_thread(queue_command, reply, "next", queue, "-n", "4", "--caseworker", "anna"),
        asyncio.to_thread(queue_command, reply, "next", queue, "-n", "4", "--caseworker", "bo"),
    )
    assert anna.returncode == bo.returncode == 0, anna.stderr + bo.stderr
    rest = queue_command(reply, "next", queue, "-n", "8", "--caseworker", "carl")
    assert rest.returncode == 0, rest.stderr
    assert "nothing waits to be taken" in queue_command(reply, "next", queue).stdout

    records = await reply.collect(
        [CASEWORKER_ACTIONS],
        until=lambda rs: sum(b'"specialist.BIF"' in v for _, v in rs) >= len(events),
    )
    claims = [CaseworkerAction.model_validate_json(v) for _, v in records]
    claims = [c for c in claims if c.queue == queue]
    everything = [c.inquiry_id for c in claims]
    assert len(set(everything)) == len(everything), "an inquiry was taken twice"
    assert sorted(map(str, everything)) == sorted(str(e.inquiry_id) for e in events)
    assert {c.action for c in claims} == {CaseworkerActionKind.CLAIM}
    by_caseworker = Counter(c.caseworker for c in claims)
    assert by_caseworker["anna"] == by_caseworker["bo"] == 4, by_caseworker
    mine = queue_command(reply, "mine", "--caseworker", "anna")
    assert all(str(c.inquiry_id)[:8] in mine.stdout for c in claims if c.caseworker == "anna")


async def test_next_shows_reasons_and_deadlines_and_a_reroute_reaches_the_bus_as_a_correction(
    reply: ReplyHarness,
) -> None:
    queue = "specialist.KFF"
    event = triaged(
        complexity=Complexity.SPECIALIST,
        department=Department.KFF,
        queue=queue,
        received_at=local(2026, 12, 4, 10),
        text="Jeg søger hjælp til min søns handicap, og vil gerne tale med en sagsbehandler.",
    )
    await reply.publish(INQUIRIES_TRIAGED, event, key=event.inquiry.thread_key)
    await reply.publish(queue_topic(queue), routed(event), key=event.inquiry.thread_key)
    await plans_stored(reply, event)
    short = str(event.inquiry_id)[:8]

    peeked = queue_command(reply, "peek", queue)
    assert peeked.returncode == 0, peeked.stderr
    assert short in peeked.stdout

    taken = queue_command(reply, "next", queue, "--caseworker", "anna")
    assert taken.returncode == 0, taken.stderr
    for expected in (short, "Taken by anna", "Mon 07 Dec 16:00", "complexity:", "reply_channel:"):
        assert expected in taken.stdout, taken.stdout
    assert "handicap" in taken.stdout
    assert "nothing waits to be taken" in queue_command(reply, "next", queue).stdout

    moved = queue_command(
        reply, "reroute", short, "--to-queue", "specialist.SOF", "--note", "a disability matter"
    )
    assert moved.returncode == 0, moved.stderr
    assert "recorded: reroute to specialist.SOF (specialist, SOF)" in moved.stdout

    target = queue_topic("specialist.SOF")
    records = await reply.collect(
        [CASEWORKER_ACTIONS, target],
        until=lambda rs: (
            any(t == target and short.encode() in v for t, v in rs)
            and any(
                t == CASEWORKER_ACTIONS and b'"reroute"' in v and short.encode() in v for t, v in rs
            )
        ),
    )
    [correction] = [
        CaseworkerAction.model_validate_json(v)
        for t, v in records
        if t == CASEWORKER_ACTIONS and b'"reroute"' in v and short.encode() in v
    ]
    assert correction.inquiry_id == event.inquiry_id
    assert (correction.queue, correction.to_queue) == (queue, "specialist.SOF")
    assert (correction.to_complexity, correction.to_department) == (
        Complexity.SPECIALIST,
        Department.SOF,
    )
    assert (correction.from_complexity, correction.from_department) == (
        Complexity.SPECIALIST,
        Department.KFF,
    )
    assert correction.model_version == "keywords-1"
    assert correction.caseworker == "anna"
    [moved_inquiry] = [
        InquiryRouted.model_validate_json(v)
        for t, v in records
        if t == target and short.encode() in v
    ]
    assert moved_inquiry.decision.queue == "specialist.SOF"
    assert moved_inquiry.inquiry.text == event.inquiry.text

    # The reply service applied it: the deadline now belongs to the new queue.
    plan = await reply.wait_for(
        lambda: (p := reply.store.plan_for(event.inquiry_id)) and p.queue == "specialist.SOF" and p,
        what="the reroute in the reply store",
    )
    assert (plan.department, plan.complexity) == ("SOF", "specialist")

    shown = queue_command(reply, "show", short)
    assert "rerouted to specialist.SOF" in shown.stdout
    assert "claimed by anna" in shown.stdout

    listing = queue_command(reply, "list")
    assert listing.returncode == 0, listing.stderr
    assert "specialist.SOF" in listing.stdout

    await reply.collect([REPLIES_PLANNED], until=lambda rs: True, timeout=1)


async def test_an_unknown_queue_and_a_bad_id_are_refused_at_the_terminal(
    reply: ReplyHarness,
) -> None:
    unknown = queue_command(reply, "next", "front-desk")
    assert unknown.returncode == 2
    assert "unknown queue 'front-desk'" in unknown.stderr
    bad = queue_command(reply, "resolve", "00000000-dead")
    assert bad.returncode == 2
    assert "no inquiry '00000000-dead' in the reply store" in bad.stderr
