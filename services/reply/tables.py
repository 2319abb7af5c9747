"""Reply's tables: every plan with its deadline, every pause of a deadline, every caseworker action
applied, the work table the caseworkers take inquiries from, and the desk's e-mail replies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, String, TypeDecorator, text
from sqlmodel import Field, SQLModel

from shared.events import InquiryRouted, ReplyPlan


def as_utc(moment: datetime) -> datetime:
    """SQLite keeps no time zone: every moment is stored in UTC and read back as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcMoment(TypeDecorator[datetime]):
    """A moment stored in UTC and read back aware, on SQLite (which keeps no zone) as well."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def _moment(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UtcMoment(), **kwargs))


# Plans the deadline watch looks at: open, running, not reported overdue yet. Indexed by deadline
# alone, the watch's question ("which of them are past their deadline?") reads only the plans that
# are, however many plans are open or were reported before.
_AWAITING_DEADLINE = "closed_at IS NULL AND paused_since IS NULL AND overdue_at IS NULL"
# E-mails sent or given up whose event is not published yet: a handful, however many went out.
_UNANNOUNCED = "delivery_announced_at IS NULL AND delivery_state IN ('sent', 'failed')"


class PlanRecord(SQLModel, table=True):
    __tablename__ = "reply_plan"
    __table_args__ = (
        Index(
            "ix_reply_plan_awaiting_deadline",
            "deadline",
            sqlite_where=text(_AWAITING_DEADLINE),
            postgresql_where=text(_AWAITING_DEADLINE),
        ),
        Index(
            "ix_reply_plan_unannounced",
            "plan_id",
            sqlite_where=text(_UNANNOUNCED),
            postgresql_where=text(_UNANNOUNCED),
        ),
    )

    plan_id: uuid.UUID = Field(primary_key=True)
    inquiry_id: uuid.UUID = Field(index=True, unique=True)
    # The salted hash of the citizen's CPR number, when the inquiry gave one: what an erasure finds.
    citizen_key: str | None = Field(default=None, index=True, max_length=128)
    triaged_event_id: uuid.UUID
    thread_key: str
    channel: str
    received_at: datetime = _moment(nullable=False)
    queue: str = Field(index=True)
    complexity: str
    department: str
    model_version: str
    kind: str
    reply_channel: str
    delivery: str
    language: str
    deadline: datetime = _moment(nullable=False)
    first_deadline: datetime = _moment(nullable=False)
    paused_since: datetime | None = _moment(nullable=True)
    # pending (e-mail to send) | sending | sent | failed | handed_over (outbox, callback)
    # | in_conversation
    delivery_state: str = Field(index=True)
    delivery_attempts: int = 0
    delivered_at: datetime | None = _moment(nullable=True)
    delivery_error: str | None = None
    # The e-mail outbox (docs/reliability.md): when a pending e-mail is due again after a
    # refusal, which instance is sending it until when, and when replies.sent or the dead
    # letter told the others what became of it.
    delivery_next_attempt_at: datetime | None = _moment(nullable=True)
    delivery_lease_owner: str | None = None
    delivery_lease_expires_at: datetime | None = _moment(nullable=True)
    delivery_announced_at: datetime | None = _moment(nullable=True)
    overdue_at: datetime | None = _moment(nullable=True)
    claimed_by: str | None = None
    claimed_at: datetime | None = _moment(nullable=True)
    closed_at: datetime | None = _moment(nullable=True)
    closed_by: str | None = None
    closed_action: str | None = None
    plan_json: str = Field(sa_column=Column(String, nullable=False))
    routed_json: str = Field(
        sa_column=Column(String, nullable=False),
        description="The triaged event as reply read it: the inquiry and its decision, for "
        "callbacks, reroutes and `queue show`, read back as the routed copy",
    )

    @property
    def plan(self) -> ReplyPlan:
        return ReplyPlan.model_validate_json(self.plan_json)

    @property
    def routed(self) -> InquiryRouted:
        # The routed copy carries the triaged event's fields; stores written before kept it
        # under the routed type already.
        routed = InquiryRouted.model_validate_json(self.routed_json)
        return routed.model_copy(update={"event_type": InquiryRouted.EVENT_TYPE})

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class DeadlinePause(SQLModel, table=True):
    """One wait for the citizen: kept for audit, with the deadline before and after."""

    __tablename__ = "reply_deadline_pause"

    pause_id: uuid.UUID = Field(primary_key=True, description="The awaiting_citizen action's id")
    plan_id: uuid.UUID = Field(index=True)
    paused_at: datetime = _moment(nullable=False)
    paused_by: str
    resumed_at: datetime | None = _moment(nullable=True)
    resumed_by: str | None = None
    resume_event_id: uuid.UUID | None = None
    paused_business_seconds: int | None = None
    deadline_before: datetime = _moment(nullable=False)
    deadline_after: datetime | None = _moment(nullable=True)


class ActionRecord(SQLModel, table=True):
    """Every caseworker action reply has read, and what it did to the plan."""

    __tablename__ = "reply_caseworker_action"

    event_id: uuid.UUID = Field(primary_key=True)
    inquiry_id: uuid.UUID | None = Field(index=True)
    plan_id: uuid.UUID | None = None
    action: str
    caseworker: str
    queue: str
    to_queue: str | None = None
    occurred_at: datetime = _moment(nullable=False)
    outcome: str
    action_json: str = Field(sa_column=Column(String, nullable=False))


class WorkItem(SQLModel, table=True):
    """One piece of a caseworker's work, fed from the queue topics: an inquiry (or a callback
    task) in its queue, claimed by at most one caseworker at a time, until its claim expires."""

    __tablename__ = "reply_work_item"
    __table_args__ = (Index("ix_reply_work_item_queue_open", "queue", "closed_at"),)

    item_id: uuid.UUID = Field(primary_key=True, description="From the inquiry id and the kind")
    inquiry_id: uuid.UUID = Field(index=True)
    kind: str = Field(description="inquiry | callback")
    queue: str
    thread_key: str
    received_at: datetime = _moment(nullable=False)
    routed_at: datetime = _moment(nullable=False)
    # A callback's own deadline; an inquiry's is its plan's (reply_plan), which pauses move.
    deadline: datetime | None = _moment(nullable=True)
    claimed_by: str | None = Field(default=None, index=True)
    claimed_at: datetime | None = _moment(nullable=True)
    # None with a claimant: held while the deadline is paused for the citizen.
    claim_expires_at: datetime | None = _moment(nullable=True)
    closed_at: datetime | None = _moment(nullable=True)
    closed_by: str | None = None
    routed_json: str = Field(sa_column=Column(String, nullable=False))

    @property
    def routed(self) -> InquiryRouted:
        return InquiryRouted.model_validate_json(self.routed_json)


class WorkFeedPosition(SQLModel, table=True):
    """How far the work table has read each partition of each queue topic; moved in the same
    transaction as the items, so any number of feeders (the desk, the command) agree."""

    __tablename__ = "reply_work_feed"

    topic: str = Field(primary_key=True)
    partition: int = Field(primary_key=True)
    next_offset: int


class CaseworkerEmail(SQLModel, table=True):
    """A caseworker's reply written on the desk, sent over SMTP once by the e-mail sender, under
    a lease as the planned e-mails are (services/reply/sender.py)."""

    __tablename__ = "reply_caseworker_email"

    event_id: uuid.UUID = Field(primary_key=True, description="The reply_sent action's id")
    inquiry_id: uuid.UUID | None
    recipient: str
    subject: str
    language: str
    text: str = Field(sa_column=Column(String, nullable=False))
    in_reply_to: str | None = None
    # pending | sending | sent | failed
    delivery_state: str = Field(index=True)
    delivery_attempts: int = 0
    delivered_at: datetime | None = _moment(nullable=True)
    delivery_error: str | None = None
    # The instance sending it and until when; another takes it over only after that.
    delivery_lease_owner: str | None = None
    delivery_lease_expires_at: datetime | None = _moment(nullable=True)
