"""draft step numbers and a table of draft chat messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing drafts start at step 1; the bot reads the step from the row from now on.
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_column("message_ids")
        batch_op.drop_column("prompt_message_id")

    # No foreign key to drafts: the rows outlive the draft so a failed tidy-up can be retried.
    op.create_table(
        "draft_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_messages_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_draft_messages_worker_id"), ["worker_id"], unique=False
        )


def downgrade() -> None:
    # Remembered message ids are dropped: at worst some old prompts stay in the chat.
    with op.batch_alter_table("draft_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_messages_worker_id"))
        batch_op.drop_index(batch_op.f("ix_draft_messages_draft_id"))
    op.drop_table("draft_messages")

    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("message_ids", sa.Text(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("prompt_message_id", sa.BigInteger(), nullable=True))
        batch_op.drop_column("seq")
