"""reminder delivery: mark a row 'sending' before the Bot API call, so it is never sent twice

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sending_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("reminders", "sending_at")
