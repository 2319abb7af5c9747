"""The reply service's batch logic: triage decisions become reply plans (and what the gateways and
the contact centre must do with them); caseworker actions move the plans' deadlines and close them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import ConsumerRecord

from services.reply.business_hours import BusinessCalendar
from services.reply.planner import CannotPlan, plan_reply
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore, plan_row
from services.reply.tables import PlanRecord
from services.reply.templates import ReplyTemplates
from shared.bus import Outgoing, dead_letter, decode_events, first_seen
from shared.events import (
    CaseworkerAction,
    InquiryRouted,
    InquiryTriaged,
    OutboxMessage,
    ReplyPlan,
    ReplyPlanned,
    ReplySent,
)
from shared.logs import about_inquiry
from shared.topics import (
    REPLIES_PLANNED,
    REPLIES_SENT,
    REPLY_STAGE,
    TopicNames,
    outbox_topic,
    queue_topic,
)
from shared.vocabulary import CONTACT_CENTRE_QUEUE, CaseworkerActionKind, ReplyChannel

log = logging.getLogger(__name__)
PRODUCER = "reply"


@dataclass
class PlannedBatch:
    outgoing: list[Outgoing] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    plans: list[ReplyPlan] = field(default_factory=list)

    @property
    def emails_waiting(self) -> bool:
        return any(p.delivery == "email" for p in self.plans)


def plan_batch(
    records: Sequence[ConsumerRecord[Any, Any]],
    *,
    settings: ReplySettings,
    calendar: BusinessCalendar,
    templates: ReplyTemplates,
    names: TopicNames,
) -> PlannedBatch:
    """Plan each triaged inquiry; what cannot be planned becomes a dead letter with the reason."""
    batch = PlannedBatch()
    seen = set()
    for record in records:
        # One record at a time: a dead letter carries the very record it is about.
        triaged, dead = decode_events(
            [record], InquiryTriaged, stage=REPLY_STAGE, names=names, producer=PRODUCER
        )
        batch.outgoing += dead
        for event in triaged:
            if event.event_id in seen:
                continue
            seen.add(event.event_id)
            try:
                plan = plan_reply(event, settings=settings, calendar=calendar, templates=templates)
            except CannotPlan as problem:
                reason = f"no reply planned: {problem}"
                batch.outgoing.append(
                    dead_letter(REPLY_STAGE, record, reason, names, producer=PRODUCER)
                )
                continue
            batch.plans.append(plan)
            batch.rows.append(plan_row(event, plan, (record.value or b"").decode()))
            batch.outgoing += _outgoing(event, plan, settings)
    return batch


def _outgoing(event: InquiryTriaged, plan: ReplyPlan, settings: ReplySettings) -> list[Outgoing]:
    key = event.inquiry.thread_key
    planned = ReplyPlanned.caused_by(
        event,
        producer=PRODUCER,
        inquiry_id=event.inquiry_id,
        channel=event.inquiry.channel,
        plan=plan,
    )
    out = [Outgoing(REPLIES_PLANNED, planned, key=key)]
    if plan.delivery == "callback":
        task = InquiryRouted.caused_by(
            event,
            producer=PRODUCER,
            inquiry_id=event.inquiry_id,
            discriminator="callback",
            inquiry=event.inquiry,
            decision=event.decision,
            callback=plan,
        )
        out.append(Outgoing(queue_topic(CONTACT_CENTRE_QUEUE), task, key=key))
        if settings.sms_callback_notice and plan.recipient:
            out += _to_gateway(event, plan, ReplyChannel.PHONE)
    elif plan.delivery == "outbox" and plan.recipient:
        # A self-service link without an e-mail address goes by SMS.
        gateway = (
            ReplyChannel.PHONE
            if plan.reply_channel is ReplyChannel.SELF_SERVICE
            else plan.reply_channel
        )
        out += _to_gateway(event, plan, gateway)
    return out


def _to_gateway(event: InquiryTriaged, plan: ReplyPlan, gateway: ReplyChannel) -> list[Outgoing]:
    key = event.inquiry.thread_key
    message = OutboxMessage.caused_by(
        event,
        producer=PRODUCER,
        inquiry_id=event.inquiry_id,
        reply_channel=gateway,
        recipient=plan.recipient or "",
        text=plan.text,
    )
    sent = ReplySent.caused_by(
        event,
        producer=PRODUCER,
        inquiry_id=event.inquiry_id,
        plan_id=plan.plan_id,
        kind=plan.kind,
        reply_channel=gateway,
        channel=event.inquiry.channel,
        via="outbox",
    )
    return [
        Outgoing(outbox_topic(gateway), message, key=key),
        Outgoing(REPLIES_SENT, sent, key=key),
    ]


def apply_actions(
    records: Sequence[ConsumerRecord[Any, Any]],
    *,
    store: ReplyStore,
    calendar: BusinessCalendar,
    names: TopicNames,
) -> list[Outgoing]:
    """Apply caseworker actions to the plans; a caseworker's reply is announced as sent."""
    actions, outgoing = decode_events(
        records, CaseworkerAction, stage=REPLY_STAGE, names=names, producer=PRODUCER
    )
    for action in first_seen(actions):
        applied = store.apply_action(action, calendar)
        if applied.new:
            with about_inquiry(action):
                log.info(
                    "%s on inquiry %s: %s", action.action.value, action.inquiry_id, applied.outcome
                )
        plan = applied.plan
        # Published again on a redelivery (the same event id): the first publish may have failed.
        if action.action is CaseworkerActionKind.REPLY_SENT and plan is not None:
            sent = ReplySent.caused_by(
                action,
                producer=PRODUCER,
                inquiry_id=action.inquiry_id,
                plan_id=plan.plan_id,
                kind="reply",
                reply_channel=action.reply_channel or ReplyChannel(plan.reply_channel),
                channel=plan.channel,
                via="caseworker",
                caseworker=action.caseworker,
            )
            outgoing.append(Outgoing(REPLIES_SENT, sent, key=plan.thread_key))
            if (
                action.reply_text
                and action.recipient
                and action.reply_channel is ReplyChannel.EMAIL
            ):
                store.add_caseworker_emails([caseworker_email(action, plan)])
    return outgoing


def caseworker_email(action: CaseworkerAction, plan: PlanRecord) -> dict[str, Any]:
    """A reply written on the desk, for the deadline watch to send (once: keyed by the action)."""
    message_id = plan.routed.inquiry.channel_message_id
    return {
        "event_id": action.event_id,
        "inquiry_id": action.inquiry_id,
        "recipient": action.recipient,
        "subject": action.reply_subject or "",
        "language": plan.language,
        "text": action.reply_text,
        "in_reply_to": message_id if message_id.startswith("<") else None,
        "delivery_state": "pending",
        "delivery_attempts": 0,
        "delivered_at": None,
        "delivery_error": None,
    }
