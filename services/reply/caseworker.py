"""The caseworker's desk: the queue topics are the work, the reply store knows the deadlines, and
caseworker.actions records what a caseworker did.

Taking work: all caseworkers of a queue share one consumer group; `next` joins it, takes records
only from the partitions the group assigned it, commits them and then announces the claims. A
commit is refused to a member that lost its partitions in a rebalance, so two caseworkers never
take the same inquiry.
"""

from __future__ import annotations

import asyncio
import getpass
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError
from aiokafka.structs import OffsetAndMetadata
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from services.reply.settings import ReplySettings
from services.reply.store import PlanRecord, ReplyStore, as_utc
from shared.bus import Outgoing, make_broker, publish_confirmed
from shared.events import CaseworkerAction, InquiryRouted, Reason, utc_now
from shared.schema import migrated_engine
from shared.topics import CASEWORKER_ACTIONS, TopicNames, queue_topic
from shared.vocabulary import (
    ALL_QUEUES,
    CITIZEN_SERVICE_QUEUE,
    CONTACT_CENTRE_QUEUE,
    MANUAL_TRIAGE_QUEUE,
    CaseworkerActionKind,
    Complexity,
    Department,
    Language,
    ReplyChannel,
    specialist_queue,
)

PRODUCER = "caseworker tool"


class DeskError(Exception):
    """Something a person can correct: the message says what and how."""


# ---- queues and ids -------------------------------------------------------------------------


def known_queue(name: str) -> str:
    if name in ALL_QUEUES:
        return name
    raise DeskError(f"unknown queue '{name}'; the queues are: {', '.join(ALL_QUEUES)}")


def find_plan(store: ReplyStore, typed: str) -> PlanRecord:
    """The plan of an inquiry by its id or the start of it (the tables show 8 characters)."""
    if len(typed.strip()) < 4:
        raise DeskError(f"'{typed}' is too short for an inquiry id: give at least 4 characters")
    found = store.find(typed)
    if not found:
        raise DeskError(
            f"no inquiry '{typed}' in the reply store (ids are shown by `queue next` and "
            f"`queue peek`; a new inquiry appears once reply has planned it)"
        )
    if len(found) > 1:
        ids = ", ".join(str(p.inquiry_id)[:13] for p in found[:5])
        raise DeskError(f"'{typed}' matches {len(found)} inquiries ({ids}, ...): type more of it")
    return found[0]


# ---- taking and looking at work ---------------------------------------------------------------


@dataclass
class Taken:
    tasks: list[InquiryRouted] = field(default_factory=list)
    unreadable: int = 0
    partitions: int = 0


class _Assignment(ConsumerRebalanceListener):
    def __init__(self) -> None:
        self.done = asyncio.Event()
        self.partitions: set[TopicPartition] = set()

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self.done.clear()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.partitions = set(assigned)
        self.done.set()


async def partitions_of(
    settings: ReplySettings, topics: list[str]
) -> dict[str, list[TopicPartition]]:
    """The partitions of each topic that exists (a consumer's cache knows only subscribed ones)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {
        d["topic"]: sorted(TopicPartition(d["topic"], p["partition"]) for p in d["partitions"])
        for d in described
        if d["error_code"] == 0
    }


async def _partitions_of_queue(settings: ReplySettings, topic: str) -> list[TopicPartition]:
    partitions = (await partitions_of(settings, [topic])).get(topic)
    if not partitions:
        raise DeskError(f"the queue's topic {topic} does not exist yet: has triage started?")
    return partitions


async def take_next(settings: ReplySettings, queue: str, caseworker: str, count: int) -> Taken:
    """Take up to `count` tasks from a queue for one caseworker, and claim them."""
    names = TopicNames(settings.topic_prefix)
    topic = names(queue_topic(known_queue(queue)))
    await _partitions_of_queue(settings, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=settings.caseworker_group(queue),
        client_id=f"caseworker-{caseworker}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    taken = Taken()
    try:
        assignment = _Assignment()
        consumer.subscribe([topic], listener=assignment)
        records = await _fetch(consumer, assignment, count, settings.caseworker_join_seconds)
        taken.partitions = len(assignment.partitions)
        offsets: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
            try:
                taken.tasks.append(InquiryRouted.model_validate_json(record.value or b""))
            except ValidationError:
                taken.unreadable += 1
        if offsets:
            try:
                await consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in offsets.items()})
            except CommitFailedError as error:
                raise DeskError(
                    "another caseworker joined the queue while you were taking work, so nothing "
                    "was taken; run the command again"
                ) from error
    finally:
        await consumer.stop()
    if taken.tasks:
        await publish(settings, [_claim(task, caseworker, queue) for task in taken.tasks])
    return taken


async def _fetch(
    consumer: AIOKafkaConsumer, assignment: _Assignment, count: int, join_seconds: float
) -> list[Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + join_seconds
    records: list[Any] = []
    while len(records) < count and loop.time() < deadline:
        batch = await consumer.getmany(timeout_ms=300, max_records=count - len(records))
        for part in batch.values():
            records += part
        if assignment.done.is_set() and not batch:
            if not assignment.partitions:
                break  # more caseworkers than partitions: none free for this one now
            ends = await consumer.end_offsets(list(assignment.partitions))
            positions = {tp: await consumer.position(tp) for tp in assignment.partitions}
            if all(positions[tp] >= ends[tp] for tp in assignment.partitions):
                break  # the queue is empty for this caseworker
    return records


async def peek(settings: ReplySettings, queue: str, count: int) -> list[InquiryRouted]:
    """The next tasks no caseworker has taken yet, without taking them."""
    names = TopicNames(settings.topic_prefix)
    topic = names(queue_topic(known_queue(queue)))
    partitions = await _partitions_of_queue(settings, topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=settings.caseworker_group(queue),
        enable_auto_commit=False,
    )
    await consumer.start()
    tasks: list[InquiryRouted] = []
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        waiting = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        while waiting and len(tasks) < count:
            batch = await consumer.getmany(*waiting, timeout_ms=1000, max_records=count)
            if not batch:
                break
            for tp, records in batch.items():
                for record in records:
                    try:
                        tasks.append(InquiryRouted.model_validate_json(record.value or b""))
                    except ValidationError:
                        continue
                if await consumer.position(tp) >= ends[tp]:
                    waiting.discard(tp)
    finally:
        await consumer.stop()
    return sorted(tasks, key=lambda t: t.occurred_at)[:count]


async def waiting_by_queue(settings: ReplySettings) -> dict[str, int | None]:
    """Tasks not yet taken, by queue (None: the queue's topic does not exist)."""
    names = TopicNames(settings.topic_prefix)
    topics = {queue: names(queue_topic(queue)) for queue in ALL_QUEUES}
    partitions = await partitions_of(settings, list(topics.values()))
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    await consumer.start()
    try:
        result: dict[str, int | None] = {}
        for queue, topic in topics.items():
            if topic not in partitions:
                result[queue] = None
                continue
            ends = await consumer.end_offsets(partitions[topic])
            committed = await admin.list_consumer_group_offsets(
                settings.caseworker_group(queue), partitions=partitions[topic]
            )
            result[queue] = sum(
                ends[tp] - max(committed[tp].offset, 0) if tp in committed else ends[tp]
                for tp in partitions[topic]
            )
        return result
    finally:
        await consumer.stop()
        await admin.close()


# ---- recording what a caseworker did ----------------------------------------------------------


def _claim(task: InquiryRouted, caseworker: str, queue: str) -> Outgoing:
    action = CaseworkerAction.caused_by(
        task,
        producer=PRODUCER,
        inquiry_id=task.inquiry_id,
        discriminator=caseworker,
        action=CaseworkerActionKind.CLAIM,
        caseworker=caseworker,
        queue=queue,
    )
    return Outgoing(CASEWORKER_ACTIONS, action, key=task.inquiry.thread_key)


async def publish(settings: ReplySettings, outgoing: Sequence[Outgoing]) -> None:
    names = TopicNames(settings.topic_prefix)
    topics = sorted({names(o.topic) for o in outgoing})
    # Topics are not created on demand: say which is missing rather than wait for a timeout.
    missing = set(topics) - set(await partitions_of(settings, topics))
    if missing:
        raise DeskError(
            f"no topic {', '.join(sorted(missing))} on the broker yet: has triage started?"
        )
    broker = make_broker(settings, CollectorRegistry())
    async with broker:
        await publish_confirmed(broker, names, outgoing)


@dataclass(frozen=True)
class Target:
    queue: str
    department: Department
    complexity: Complexity


def reroute_target(
    plan: PlanRecord,
    *,
    to_queue: str | None,
    to_department: Department | None,
    to_complexity: Complexity | None,
) -> Target:
    """Where a reroute sends the inquiry; every part a correction needs, or a clear refusal."""
    department = to_department or Department(plan.department)
    if to_queue:
        known_queue(to_queue)
        if to_queue.startswith("specialist."):
            named = Department(to_queue.removeprefix("specialist."))
            if to_department and to_department is not named:
                raise DeskError(f"{to_queue} is {named.value}'s queue, not {to_department.value}'s")
            department, complexity = named, Complexity.SPECIALIST
        elif to_queue == MANUAL_TRIAGE_QUEUE:
            complexity = Complexity.UNDETERMINED
        else:
            complexity = Complexity.SIMPLE
        if to_complexity and to_complexity is not complexity:
            raise DeskError(
                f"{to_queue} takes {complexity.value} inquiries, not {to_complexity.value}"
            )
        target = Target(to_queue, department, complexity)
    elif to_department is None and to_complexity is None:
        raise DeskError("say where to: --to-queue, --to-department or --to-complexity")
    else:
        complexity = to_complexity or Complexity(plan.complexity)
        if complexity is Complexity.SPECIALIST:
            queue = specialist_queue(department)
        elif complexity is Complexity.UNDETERMINED:
            queue = MANUAL_TRIAGE_QUEUE
        elif plan.queue in (CONTACT_CENTRE_QUEUE, CITIZEN_SERVICE_QUEUE):
            queue = plan.queue
        else:
            raise DeskError(
                f"a simple matter goes to {CONTACT_CENTRE_QUEUE} or {CITIZEN_SERVICE_QUEUE}: "
                f"say which with --to-queue"
            )
        target = Target(queue, department, complexity)
    if (target.queue, target.department.value, target.complexity.value) == (
        plan.queue,
        plan.department,
        plan.complexity,
    ):
        raise DeskError(
            f"the inquiry is in {plan.queue} as {plan.complexity} {plan.department} already"
        )
    return target


def action_for(
    plan: PlanRecord,
    kind: CaseworkerActionKind,
    caseworker: str,
    *,
    note: str | None = None,
    reply_channel: ReplyChannel | None = None,
    target: Target | None = None,
) -> list[Outgoing]:
    """The action on caseworker.actions; a reroute also puts the inquiry on its new queue."""
    _refuse_what_cannot_be(plan, kind)
    routed = plan.routed
    extra: dict[str, Any] = {}
    if target is not None:
        extra = {
            "to_queue": target.queue,
            "to_department": target.department,
            "to_complexity": target.complexity,
            "from_complexity": Complexity(plan.complexity),
            "from_department": Department(plan.department),
            "model_version": plan.model_version,
        }
    action = CaseworkerAction.caused_by(
        routed,
        producer=PRODUCER,
        inquiry_id=plan.inquiry_id,
        # Each command is a new act of a person: its own id, kept if the publish is retried.
        discriminator=uuid.uuid4(),
        action=kind,
        caseworker=caseworker,
        queue=plan.queue,
        note=note,
        reply_channel=reply_channel,
        **extra,
    )
    out = [Outgoing(CASEWORKER_ACTIONS, action, key=plan.thread_key)]
    if target is not None:
        decision = routed.decision.model_copy(
            update={
                "queue": target.queue,
                "department": target.department,
                "complexity": target.complexity,
                "reasons": [
                    *routed.decision.reasons,
                    Reason(
                        about="queue",
                        text=f"Rerouted from {plan.queue} ({plan.complexity} {plan.department}) "
                        f"by caseworker {caseworker}.",
                    ),
                ],
            }
        )
        moved = InquiryRouted.caused_by(
            action,
            producer=PRODUCER,
            inquiry_id=plan.inquiry_id,
            inquiry=routed.inquiry,
            decision=decision,
        )
        out.append(Outgoing(queue_topic(target.queue), moved, key=plan.thread_key))
    return out


def _refuse_what_cannot_be(plan: PlanRecord, kind: CaseworkerActionKind) -> None:
    closed = not plan.is_open and kind is not CaseworkerActionKind.REROUTE
    if closed:
        raise DeskError(
            f"inquiry {short(plan.inquiry_id)} was closed ({plan.closed_action}) by "
            f"{plan.closed_by} already"
        )
    if kind is CaseworkerActionKind.AWAITING_CITIZEN and plan.paused_since is not None:
        raise DeskError(f"the deadline of {short(plan.inquiry_id)} is paused already")
    if kind is CaseworkerActionKind.CITIZEN_ANSWERED and plan.paused_since is None:
        raise DeskError(f"the deadline of {short(plan.inquiry_id)} is not paused")


def default_caseworker(settings: ReplySettings) -> str:
    return settings.caseworker or getpass.getuser()


# ---- words for the tables ---------------------------------------------------------------------


def short(inquiry_id: uuid.UUID | None) -> str:
    return str(inquiry_id)[:8] if inquiry_id else "-"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return f"{as_utc(moment).astimezone(zone):%a %d %b %H:%M}"


def deadline_words(plan: PlanRecord | None, zone: ZoneInfo, now: datetime | None = None) -> str:
    if plan is None:
        return "not planned yet"
    now = now or utc_now()
    if not plan.is_open:
        return f"closed ({plan.closed_action})"
    if plan.paused_since is not None:
        return f"paused since {local_time(plan.paused_since, zone)} (awaiting citizen)"
    due = local_time(plan.deadline, zone)
    return f"OVERDUE since {due}" if as_utc(plan.deadline) <= now else due


def matter(task: InquiryRouted) -> str:
    names = task.decision.service_names or {}
    return names.get(Language.EN) or names.get(Language.DA) or task.decision.service_id or "-"


def open_store(settings: ReplySettings) -> ReplyStore:
    return ReplyStore(migrated_engine(settings))


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
