"""Reminder rows: the table is the truth, a periodic sweep delivers what is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from storage.models import Reminder
from storage.records import ReminderRecord
from storage.repositories.base import Repository, utcnow

#: A claim older than this is assumed to belong to a crashed instance and may be retaken.
CLAIM_TIMEOUT = timedelta(minutes=5)


class ReminderRepository(Repository):
    """Scheduling lives in rows, not in APScheduler's memory, so restarts skip nothing."""

    def _record(self, row: Reminder) -> ReminderRecord:
        return ReminderRecord(
            id=row.id,
            kind=row.kind,
            worker_id=row.worker_id,
            ref_id=row.ref_id,
            text=self.open_text(row.text_enc, "reminders", "text_enc", row.id),
            due_at=row.due_at,
            sent_at=row.sent_at,
            cancelled=row.cancelled,
        )

    async def pending_for(self, worker_id: int) -> list[ReminderRecord]:
        """Return the worker's unsent, uncancelled reminders, soonest first."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Reminder)
                .where(
                    Reminder.worker_id == worker_id,
                    Reminder.sent_at.is_(None),
                    Reminder.cancelled.is_(False),
                )
                .order_by(Reminder.due_at)
            )
            return [self._record(r) for r in rows]

    async def claim_due(
        self, claimer: str, now: datetime | None = None, limit: int = 50
    ) -> list[ReminderRecord]:
        """Mark due reminders as claimed by this instance and return them."""
        now = now or utcnow()
        async with self.sessions.begin() as s:
            rows = (
                await s.scalars(
                    select(Reminder)
                    .where(
                        Reminder.due_at <= now,
                        Reminder.sent_at.is_(None),
                        Reminder.cancelled.is_(False),
                        or_(
                            Reminder.claimed_at.is_(None),
                            Reminder.claimed_at < now - CLAIM_TIMEOUT,
                        ),
                    )
                    .order_by(Reminder.due_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                row.claimed_at, row.claimed_by = now, claimer
                row.attempts += 1
            return [self._record(r) for r in rows]

    async def mark_sent(self, reminder_id: str, now: datetime | None = None) -> None:
        """Record a delivery so it is never sent twice."""
        async with self.sessions.begin() as s:
            row = await s.get(Reminder, reminder_id)
            if row is not None:
                row.sent_at = now or utcnow()

    async def cancel(self, reminder_id: str) -> None:
        """Stop a reminder from being delivered (e.g. the worker blocked the bot)."""
        async with self.sessions.begin() as s:
            row = await s.get(Reminder, reminder_id)
            if row is not None:
                row.cancelled = True
