"""The schema as the services created it before migrations (create_all at start): every
store's tables and indexes, column for column. A database made that way has some or all of them
already: `migrate` keeps those and creates what is missing, then continues from this revision.

Revision ID: 0001_initial_schema
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001_initial_schema"
down_revision = None
branch_labels = None
depends_on = None

_AWAITING_DEADLINE = "closed_at IS NULL AND paused_since IS NULL AND overdue_at IS NULL"


def _table(name: str, *columns: Any) -> None:
    """Created unless there already (each SQLite file had only its own service's tables)."""
    if name not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(name, *columns)


def _index(name: str, table: str, columns: list[str], **options: Any) -> None:
    """Created where missing: reply's deadline index came after its table."""
    if name not in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes(table)}:
        op.create_index(name, table, columns, **options)


def _moment(name: str, *, nullable: bool) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, *, nullable: bool = False, length: int | None = None) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def upgrade() -> None:
    _table(
        "intake_original",
        _text("sha256", length=64),
        _text("content_type", length=255),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _moment("stored_at", nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    _table(
        "intake_seen_message",
        _text("channel"),
        _text("channel_message_id", length=998),
        sa.Column("inquiry_id", sa.Uuid(), nullable=True),
        _moment("seen_at", nullable=False),
        sa.PrimaryKeyConstraint("channel", "channel_message_id"),
    )
    _table(
        "metrics_counted_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    _index("ix_metrics_counted_event_counted_on", "metrics_counted_event", ["counted_on"])
    _table(
        "metrics_daily_count",
        sa.Column("day", sa.Date(), nullable=False),
        _text("event_type", length=40),
        _text("channel", length=20),
        _text("complexity", length=20),
        _text("department", length=8),
        _text("outcome", length=40),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "event_type", "channel", "complexity", "department", "outcome"
        ),
    )
    _table(
        "reply_caseworker_action",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("inquiry_id", sa.Uuid(), nullable=True),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        _text("action"),
        _text("caseworker"),
        _text("queue"),
        _text("to_queue", nullable=True),
        _moment("occurred_at", nullable=False),
        _text("outcome"),
        _text("action_json"),
        sa.PrimaryKeyConstraint("event_id"),
    )
    _index("ix_reply_caseworker_action_inquiry_id", "reply_caseworker_action", ["inquiry_id"])
    _table(
        "reply_deadline_pause",
        sa.Column("pause_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        _moment("paused_at", nullable=False),
        _text("paused_by"),
        _moment("resumed_at", nullable=True),
        _text("resumed_by", nullable=True),
        sa.Column("resume_event_id", sa.Uuid(), nullable=True),
        sa.Column("paused_business_seconds", sa.Integer(), nullable=True),
        _moment("deadline_before", nullable=False),
        _moment("deadline_after", nullable=True),
        sa.PrimaryKeyConstraint("pause_id"),
    )
    _index("ix_reply_deadline_pause_plan_id", "reply_deadline_pause", ["plan_id"])
    _table(
        "reply_plan",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("inquiry_id", sa.Uuid(), nullable=False),
        sa.Column("triaged_event_id", sa.Uuid(), nullable=False),
        _text("thread_key"),
        _text("channel"),
        _moment("received_at", nullable=False),
        _text("queue"),
        _text("complexity"),
        _text("department"),
        _text("model_version"),
        _text("kind"),
        _text("reply_channel"),
        _text("delivery"),
        _text("language"),
        _moment("deadline", nullable=False),
        _moment("first_deadline", nullable=False),
        _moment("paused_since", nullable=True),
        _text("delivery_state"),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        _moment("delivered_at", nullable=True),
        _text("delivery_error", nullable=True),
        _moment("overdue_at", nullable=True),
        _text("claimed_by", nullable=True),
        _moment("claimed_at", nullable=True),
        _moment("closed_at", nullable=True),
        _text("closed_by", nullable=True),
        _text("closed_action", nullable=True),
        _text("plan_json"),
        _text("routed_json"),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    _index(
        "ix_reply_plan_awaiting_deadline",
        "reply_plan",
        ["deadline"],
        sqlite_where=sa.text(_AWAITING_DEADLINE),
        postgresql_where=sa.text(_AWAITING_DEADLINE),
    )
    _index("ix_reply_plan_delivery_state", "reply_plan", ["delivery_state"])
    _index("ix_reply_plan_inquiry_id", "reply_plan", ["inquiry_id"], unique=True)
    _index("ix_reply_plan_queue", "reply_plan", ["queue"])
    _table(
        "triage_correction",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("inquiry_id", sa.Uuid(), nullable=False),
        _text("complexity"),
        _text("department"),
        _text("from_queue"),
        _text("to_queue", nullable=True),
        _text("caseworker"),
        _moment("corrected_at", nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    _index("ix_triage_correction_inquiry_id", "triage_correction", ["inquiry_id"])
    _table(
        "triage_inquiry",
        sa.Column("inquiry_id", sa.Uuid(), nullable=False),
        _text("channel"),
        _text("language"),
        _text("subject", nullable=True),
        _text("text"),
        _text("complexity"),
        _text("department"),
        _text("model_version"),
        _moment("triaged_at", nullable=False),
        sa.PrimaryKeyConstraint("inquiry_id"),
    )


def downgrade() -> None:
    for table in (
        "triage_inquiry",
        "triage_correction",
        "reply_plan",
        "reply_deadline_pause",
        "reply_caseworker_action",
        "metrics_daily_count",
        "metrics_counted_event",
        "intake_seen_message",
        "intake_original",
    ):
        op.drop_table(table)
