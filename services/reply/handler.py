"""A batch of triage decisions in; one planned acknowledgement each out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord

from services.reply.planner import plan_acknowledgement
from services.reply.settings import ReplySettings
from shared.bus import Outgoing, decode_events, first_seen
from shared.events import InquiryTriaged, ReplyPlanned
from shared.topics import REPLIES_PLANNED, REPLY_STAGE, TopicNames


def plan_batch(
    records: Sequence[ConsumerRecord[Any, Any]], *, settings: ReplySettings, names: TopicNames
) -> list[Outgoing]:
    triaged, outgoing = decode_events(
        records, InquiryTriaged, stage=REPLY_STAGE, names=names, producer="reply"
    )
    for event in first_seen(triaged):
        plan = plan_acknowledgement(event, settings)
        planned = ReplyPlanned.caused_by(
            event,
            producer="reply",
            inquiry_id=event.inquiry_id,
            channel=event.inquiry.channel,
            plan=plan,
        )
        outgoing.append(Outgoing(REPLIES_PLANNED, planned, key=event.inquiry.thread_key))
    return outgoing
