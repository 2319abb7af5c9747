"""The caseworkers' work table and its feed positions, replies written on the desk (sent under a
lease), the gateway's hashed API keys, the erasure log, and the citizen key on triage's and
reply's rows (found and erased by it).

Revision ID: 0003_desk_keys_erasure
Revises: 0002_reply_email_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_desk_keys_erasure"
down_revision = "0002_reply_email_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "intake_gateway_key",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("adapter", sa.String(length=100), nullable=False),
        sa.Column("channels", sa.String(length=200), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    with op.batch_alter_table("intake_gateway_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intake_gateway_key_adapter"), ["adapter"], unique=False
        )

    op.create_table(
        "privacy_erasure",
        sa.Column("erasure_id", sa.Uuid(), nullable=False),
        sa.Column("citizen_key", sa.String(length=128), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inquiries", sa.Integer(), nullable=False),
        sa.Column("rows_json", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("erasure_id"),
    )
    with op.batch_alter_table("privacy_erasure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_erasure_citizen_key"), ["citizen_key"], unique=False
        )

    op.create_table(
        "reply_caseworker_email",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("inquiry_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("in_reply_to", sa.String(), nullable=True),
        sa.Column("delivery_state", sa.String(), nullable=False),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_error", sa.String(), nullable=True),
        sa.Column("delivery_lease_owner", sa.String(), nullable=True),
        sa.Column("delivery_lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("reply_caseworker_email", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reply_caseworker_email_delivery_state"), ["delivery_state"], unique=False
        )

    op.create_table(
        "reply_work_feed",
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "partition"),
    )
    op.create_table(
        "reply_work_item",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("inquiry_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("queue", sa.String(), nullable=False),
        sa.Column("thread_key", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.Column("routed_json", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("reply_work_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reply_work_item_claimed_by"), ["claimed_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reply_work_item_inquiry_id"), ["inquiry_id"], unique=False
        )
        batch_op.create_index("ix_reply_work_item_queue_open", ["queue", "closed_at"], unique=False)

    with op.batch_alter_table("reply_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citizen_key", sa.String(length=128), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_reply_plan_citizen_key"), ["citizen_key"], unique=False
        )

    with op.batch_alter_table("triage_inquiry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citizen_key", sa.String(length=128), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_triage_inquiry_citizen_key"), ["citizen_key"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("triage_inquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_inquiry_citizen_key"))
        batch_op.drop_column("citizen_key")

    with op.batch_alter_table("reply_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_plan_citizen_key"))
        batch_op.drop_column("citizen_key")

    with op.batch_alter_table("reply_work_item", schema=None) as batch_op:
        batch_op.drop_index("ix_reply_work_item_queue_open")
        batch_op.drop_index(batch_op.f("ix_reply_work_item_inquiry_id"))
        batch_op.drop_index(batch_op.f("ix_reply_work_item_claimed_by"))

    op.drop_table("reply_work_item")
    op.drop_table("reply_work_feed")
    with op.batch_alter_table("reply_caseworker_email", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_caseworker_email_delivery_state"))

    op.drop_table("reply_caseworker_email")
    with op.batch_alter_table("privacy_erasure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_erasure_citizen_key"))

    op.drop_table("privacy_erasure")
    with op.batch_alter_table("intake_gateway_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_gateway_key_adapter"))

    op.drop_table("intake_gateway_key")
