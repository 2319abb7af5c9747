"""The e-mail outbox in reply's plans: each e-mail's next attempt after a back-off, the instance
holding it and until when (its lease), and when its outcome was announced on the bus.

E-mails sent or given up before this revision were announced by the code of their time: they are
marked announced, so that none is announced twice. E-mails that were being sent are left with no
lease: the sender takes them over at once (the code before kept no owner).

Revision ID: 0002_reply_email_outbox
Revises: 0001_initial_schema
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_reply_email_outbox"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None

_UNANNOUNCED = "delivery_announced_at IS NULL AND delivery_state IN ('sent', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("reply_plan") as table:
        table.add_column(sa.Column("delivery_next_attempt_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("delivery_lease_owner", sa.String()))
        table.add_column(sa.Column("delivery_lease_expires_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("delivery_announced_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE reply_plan SET delivery_announced_at = CURRENT_TIMESTAMP"
        " WHERE delivery_state IN ('sent', 'failed')"
    )
    op.create_index(
        "ix_reply_plan_unannounced",
        "reply_plan",
        ["plan_id"],
        unique=False,
        sqlite_where=sa.text(_UNANNOUNCED),
        postgresql_where=sa.text(_UNANNOUNCED),
    )


def downgrade() -> None:
    op.drop_index("ix_reply_plan_unannounced", table_name="reply_plan")
    with op.batch_alter_table("reply_plan") as table:
        table.drop_column("delivery_announced_at")
        table.drop_column("delivery_lease_expires_at")
        table.drop_column("delivery_lease_owner")
        table.drop_column("delivery_next_attempt_at")
