"""Intake's seen channel ids name the raw record that claimed each (topic:partition:offset): the
id is claimed before its inquiry is published, and only that record may publish it.

Ids seen before this revision have no claimant: a copy of their message is a duplicate, as it was.

Revision ID: 0004_intake_claims
Revises: 0003_desk_keys_erasure
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_intake_claims"
down_revision = "0003_desk_keys_erasure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("intake_seen_message") as table:
        table.add_column(sa.Column("claimed_by", sa.String(length=300)))


def downgrade() -> None:
    with op.batch_alter_table("intake_seen_message") as table:
        table.drop_column("claimed_by")
