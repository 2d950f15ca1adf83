"""records: locked notes with a content hash, addenda, name words, card tidy-up, template choice

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("card_minutes", sa.Integer(), server_default="10", nullable=False)
        )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("words_indexed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_notes_person_latest",
        "notes",
        ["participant_id", "worker_id", "session_start", "created_at", "id"],
    )
    op.drop_index("ix_actions_note_id", table_name="actions")
    op.create_index("ix_actions_note_open", "actions", ["note_id", "done"])
    op.create_table(
        "participant_words",
        sa.Column("participant_id", sa.String(length=32), nullable=False),
        sa.Column("word_index", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("participant_id", "word_index"),
    )
    op.create_index(
        "ix_participant_words_lookup", "participant_words", ["worker_id", "word_index"]
    )
    op.create_table(
        "addenda",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_addenda_note_id", "addenda", ["note_id"])
    op.create_index("ix_addenda_worker_id", "addenda", ["worker_id"])
    op.create_table(
        "pending_addenda",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("worker_id"),
    )
    op.create_table(
        "card_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("card_id", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_card_messages_card_id", "card_messages", ["card_id"])
    op.create_index("ix_card_messages_worker_id", "card_messages", ["worker_id"])
    op.create_index("ix_card_messages_delete_at", "card_messages", ["delete_at"])


def downgrade() -> None:
    op.drop_table("card_messages")
    op.drop_table("pending_addenda")
    op.drop_table("addenda")
    op.drop_index("ix_participant_words_lookup", table_name="participant_words")
    op.drop_table("participant_words")
    op.drop_index("ix_actions_note_open", table_name="actions")
    op.create_index("ix_actions_note_id", "actions", ["note_id"])
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy would trip the foreign
    # keys that point at these tables.
    op.drop_index("ix_notes_person_latest", table_name="notes")
    op.drop_column("notes", "content_hash")
    op.drop_column("participants", "words_indexed")
    op.drop_column("workers", "card_minutes")
    op.drop_column("workers", "template_id")
