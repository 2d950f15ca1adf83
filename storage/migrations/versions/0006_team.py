"""team: admins, reviews, a hash-chained audit trail, and a place for data facts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch on SQLite would copy the workers table, and dropping the
    # old copy trips the foreign keys that point at it.
    op.add_column(
        "workers", sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    # "admin" was a role; it is now a right held beside one (worker or supervisor).
    op.execute("UPDATE workers SET is_admin = TRUE, role = 'worker' WHERE role = 'admin'")
    op.add_column("audit_events", sa.Column("actor", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("participant_id", sa.String(32), nullable=True))
    op.add_column("audit_events", sa.Column("seq", sa.BigInteger(), nullable=True))
    op.add_column("audit_events", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.String(64), nullable=True))
    op.create_index("ix_audit_events_seq", "audit_events", ["seq"], unique=True)
    op.create_index("ix_audit_events_participant_id", "audit_events", ["participant_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comment_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("addendum_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reviews_note_id", "reviews", ["note_id"])
    op.create_index("ix_reviews_reviewer_id", "reviews", ["reviewer_id"])
    op.create_index("ix_reviews_worker_open", "reviews", ["worker_id", "status", "answered_at"])
    op.create_table(
        "pending_reviews",
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["workers.id"]),
        sa.PrimaryKeyConstraint("reviewer_id"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("pending_reviews")
    op.drop_index("ix_reviews_worker_open", table_name="reviews")
    op.drop_index("ix_reviews_reviewer_id", table_name="reviews")
    op.drop_index("ix_reviews_note_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_events_participant_id", table_name="audit_events")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), as in 0005.
    op.drop_index("ix_audit_events_seq", table_name="audit_events")
    for column in ("hash", "prev_hash", "seq", "participant_id", "actor"):
        op.drop_column("audit_events", column)
    op.execute("UPDATE workers SET role = 'admin' WHERE is_admin AND role = 'worker'")
    op.drop_column("workers", "is_admin")
