"""The rules of a caseworker's actions, for the command and the desk alike: which queue and
inquiry a person means, where a reroute sends an inquiry (a correction that `make train` learns
from), which action makes sense on a plan, and the events that record it on caseworker.actions."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry

from services.reply.display import short
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.tables import PlanRecord
from shared.bus import Outgoing, make_broker, publish_confirmed
from shared.events import CaseworkerAction, InquiryRouted, Reason
from shared.kafka_security import client_options
from shared.topics import CASEWORKER_ACTIONS, TopicNames, queue_topic
from shared.vocabulary import (
    ALL_QUEUES,
    CITIZEN_SERVICE_QUEUE,
    CONTACT_CENTRE_QUEUE,
    MANUAL_TRIAGE_QUEUE,
    CaseworkerActionKind,
    Complexity,
    Department,
    ReplyChannel,
    specialist_queue,
)

PRODUCER = "caseworker tool"


class DeskError(Exception):
    """Something a person can correct: the message says what and how."""


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


def claim_action(routed: InquiryRouted, caseworker: str, queue: str) -> Outgoing:
    """A claim on caseworker.actions; its id is the claim's own (a second claim is a new act)."""
    action = CaseworkerAction.caused_by(
        routed,
        producer=PRODUCER,
        inquiry_id=routed.inquiry_id,
        discriminator=uuid.uuid4(),
        action=CaseworkerActionKind.CLAIM,
        caseworker=caseworker,
        queue=queue,
    )
    return Outgoing(CASEWORKER_ACTIONS, action, key=routed.inquiry.thread_key)


async def partitions_of(settings: ReplySettings, topics: list[str]) -> set[str]:
    """The topics that exist on the broker."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {d["topic"] for d in described if d["error_code"] == 0}


async def publish(settings: ReplySettings, outgoing: Sequence[Outgoing]) -> None:
    names = TopicNames(settings.topic_prefix)
    topics = sorted({names(o.topic) for o in outgoing})
    # Topics are not created on demand: say which is missing rather than wait for a timeout.
    missing = set(topics) - await partitions_of(settings, topics)
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
    email: tuple[str, str, str] | None = None,
) -> list[Outgoing]:
    """The action on caseworker.actions; a reroute also puts the inquiry on its new queue."""
    _refuse_what_cannot_be(plan, kind)
    routed = plan.routed
    extra: dict[str, Any] = {}
    if email is not None:
        # The desk's reply: reply's deadline watch sends it (recipient, subject, text).
        extra["recipient"], extra["reply_subject"], extra["reply_text"] = email
    if target is not None:
        extra |= {
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
