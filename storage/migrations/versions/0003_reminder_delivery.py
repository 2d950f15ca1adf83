"""reminder delivery: claims with leases and backoff, reminder settings, a shared send pace

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

reminders = sa.table(
    "reminders",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("due_at", storage.types.UTCDateTime()),
    sa.column("subject_at", storage.types.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("morning_minutes", sa.Integer(), server_default="540", nullable=False)
        )
        batch_op.add_column(
            sa.Column("session_day_before", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("session_hour_before", sa.Boolean(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("digest_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "lock_screen", sa.String(length=16), server_default="private", nullable=False
            )
        )
        batch_op.add_column(sa.Column("blocked_at", storage.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("retry_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("dedupe", sa.String(length=80), nullable=True))
        batch_op.drop_index(batch_op.f("ix_reminders_due_at"))
        # The sweep's query: unsent, not cancelled, oldest due first.
        batch_op.create_index("ix_reminders_queue", ["sent_at", "cancelled", "due_at"])
        batch_op.create_index(batch_op.f("ix_reminders_ref_id"), ["ref_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminders_dedupe"), ["dedupe"], unique=True)

    # 0001/0002 wrote one "next_session" reminder an hour before the session.
    bind = op.get_bind()
    old = bind.execute(
        sa.select(reminders.c.id, reminders.c.due_at).where(reminders.c.kind == "next_session")
    ).all()
    for rid, due in old:
        bind.execute(
            reminders.update()
            .where(reminders.c.id == rid)
            .values(kind="session_soon", subject_at=due + timedelta(hours=1))
        )
    op.create_table(
        "send_pace",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    pace = sa.table(
        "send_pace",
        sa.column("name", sa.String),
        sa.column("next_slot", sa.Float()),
    )
    op.bulk_insert(pace, [{"name": "reminders", "next_slot": 0.0}])


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of ``workers`` would trip
    # the foreign keys that point at it.
    op.drop_table("send_pace")
    op.execute(
        reminders.update().where(reminders.c.kind == "session_soon").values(kind="next_session")
    )
    op.drop_index("ix_reminders_dedupe", table_name="reminders")
    op.drop_index("ix_reminders_ref_id", table_name="reminders")
    op.drop_index("ix_reminders_queue", table_name="reminders")
    op.create_index("ix_reminders_due_at", "reminders", ["due_at"], unique=False)
    for column in ("dedupe", "last_error", "retry_at", "subject_at"):
        op.drop_column("reminders", column)
    for column in (
        "blocked_at",
        "lock_screen",
        "digest_minutes",
        "session_hour_before",
        "session_day_before",
        "morning_minutes",
    ):
        op.drop_column("workers", column)
