"""Reminder rows: the table is the truth, a periodic sweep delivers what is due.

A row is claimed by one conditional UPDATE (on PostgreSQL its candidate rows are picked with
``FOR UPDATE SKIP LOCKED``), so two instances never claim the same row; a claim is a lease
(``retry_at``) that a crashed instance's rows come back from. Marking sent is conditional on
the claim's token, so a row re-claimed after its lease ran out cannot be marked twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Exists, and_, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Reminder, SendPace, Worker
from storage.records import NewReminder, ReminderRecord
from storage.repositories.base import Repository, new_id

log = logging.getLogger(__name__)
T = "reminders"
COLUMNS = (
    Reminder.id,
    Reminder.kind,
    Reminder.worker_id,
    Reminder.ref_id,
    Reminder.text_enc,
    Reminder.due_at,
    Reminder.sent_at,
    Reminder.cancelled,
    Reminder.subject_at,
    Reminder.attempts,
    Reminder.claimed_by,
)


def _unsent() -> ColumnElement[bool]:
    return and_(Reminder.sent_at.is_(None), Reminder.cancelled.is_(False))


class ReminderRepository(Repository):
    """Scheduling lives in rows, not in APScheduler's memory, so restarts skip nothing."""

    def _record(self, row: object) -> ReminderRecord:
        return ReminderRecord(
            id=row.id,  # type: ignore[attr-defined]
            kind=row.kind,  # type: ignore[attr-defined]
            worker_id=row.worker_id,  # type: ignore[attr-defined]
            ref_id=row.ref_id,  # type: ignore[attr-defined]
            text=self.open_text(row.text_enc, T, "text_enc", row.id, owner=row.worker_id),  # type: ignore[attr-defined]
            due_at=row.due_at,  # type: ignore[attr-defined]
            sent_at=row.sent_at,  # type: ignore[attr-defined]
            cancelled=row.cancelled,  # type: ignore[attr-defined]
            subject_at=row.subject_at,  # type: ignore[attr-defined]
            attempts=row.attempts,  # type: ignore[attr-defined]
            claimed_by=row.claimed_by,  # type: ignore[attr-defined]
        )

    def build(self, worker_id: int, new: NewReminder) -> Reminder:
        """A row for ``new``, its text sealed to the row (for callers adding it themselves)."""
        rid = new_id()
        return Reminder(
            id=rid,
            kind=new.kind,
            worker_id=worker_id,
            ref_id=new.ref_id,
            text_enc=self.seal_text(new.text, T, "text_enc", rid, owner=worker_id),
            due_at=new.due_at,
            subject_at=new.subject_at,
            cancelled=False,
            attempts=0,
            dedupe=new.dedupe,
        )

    async def add(self, worker_id: int, items: Sequence[NewReminder]) -> int:
        """Schedule reminders; ones whose dedupe key already exists are skipped. Returns how
        many were added."""
        rows = [self.build(worker_id, item) for item in items]
        if not rows:
            return 0
        values = [
            {c.key: getattr(r, c.key) for c in Reminder.__table__.columns if c.key != "last_error"}
            for r in rows
        ]
        async with self.sessions.begin() as s:
            dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
            added = await s.execute(
                dialect.insert(Reminder)
                .values(values)
                .on_conflict_do_nothing(index_elements=[Reminder.dedupe])
                .returning(Reminder.id)
            )
            return len(added.all())

    async def get(self, worker_id: int, reminder_id: str) -> ReminderRecord | None:
        """One of the worker's reminders (None for anyone else's, or a made-up id)."""
        async with self.sessions() as s:
            row = (
                await s.execute(
                    select(*COLUMNS).where(
                        Reminder.id == reminder_id, Reminder.worker_id == worker_id
                    )
                )
            ).one_or_none()
            return self._record(row) if row is not None else None

    async def pending_for(
        self, worker_id: int, kinds: Iterable[str] | None = None, limit: int = 200
    ) -> list[ReminderRecord]:
        """Return the worker's unsent, uncancelled reminders, soonest first."""
        query = select(*COLUMNS).where(Reminder.worker_id == worker_id, _unsent())
        if kinds is not None:
            query = query.where(Reminder.kind.in_(list(kinds)))
        async with self.sessions() as s:
            rows = await s.execute(query.order_by(Reminder.due_at, Reminder.id).limit(limit))
            return [self._record(r) for r in rows]

    async def about(
        self, worker_id: int, ref_id: str, kinds: Iterable[str]
    ) -> list[ReminderRecord]:
        """Every row (sent or not, not cancelled) of these kinds about one note or action."""
        async with self.sessions() as s:
            rows = await s.execute(
                select(*COLUMNS)
                .where(
                    Reminder.worker_id == worker_id,
                    Reminder.ref_id == ref_id,
                    Reminder.kind.in_(list(kinds)),
                    Reminder.cancelled.is_(False),
                )
                .order_by(Reminder.due_at)
            )
            return [self._record(r) for r in rows]

    async def claim_due(
        self,
        token: str,
        now: datetime,
        limit: int = 100,
        lease: timedelta = timedelta(minutes=5),
        max_attempts: int = 10,
    ) -> list[ReminderRecord]:
        """Claim up to ``limit`` due rows for this sender, oldest due first, and return them.

        The rows stay claimed until ``now + lease``: mark them sent, release or drop them
        before then. A row another instance holds (or is picking right now) is skipped. Rows
        tried ``max_attempts`` times are given up here; a row that cannot be read is given
        back with the attempt counted, so it never holds up the rest of its batch.
        """
        available = and_(
            _unsent(),
            Reminder.due_at <= now,
            or_(Reminder.retry_at.is_(None), Reminder.retry_at <= now),
        )
        # Left 'sending' by a claim whose lease ran out: it may have arrived, so it counts as
        # sent (the rule a timed-out send follows).
        in_doubt = and_(available, Reminder.sending_at.is_not(None))
        available = and_(available, Reminder.sending_at.is_(None))
        worn_out = and_(available, Reminder.attempts >= max_attempts)
        available = and_(
            available,
            Reminder.attempts < max_attempts,
            # Held while the worker has the bot blocked (not cancelled: they may come back).
            ~exists().where(Worker.id == Reminder.worker_id, Worker.blocked_at.is_not(None)),
        )
        # A CTE, evaluated once: PostgreSQL may re-run an IN (subquery) per outer row, and
        # with SKIP LOCKED each run would pick further rows, claiming more than ``limit``.
        pick = (
            select(Reminder.id)
            .where(available)
            .order_by(Reminder.due_at)  # no tie-break: the index gives this order for free
            .limit(limit)
            .with_for_update(skip_locked=True)  # ignored by SQLite, which locks the database
            .cte("picked")
            .prefix_with("MATERIALIZED")
        )
        async with self.sessions.begin() as s:
            await s.execute(
                update(Reminder)
                .where(in_doubt)
                .values(sent_at=Reminder.sending_at, claimed_by=None, retry_at=None)
                .execution_options(synchronize_session=False)
            )
            given_up = (
                await s.execute(
                    update(Reminder)
                    .where(worn_out)
                    .values(cancelled=True, claimed_by=None, last_error="too many attempts")
                    .returning(Reminder.id)
                    .execution_options(synchronize_session=False)
                )
            ).all()
            if given_up:
                log.warning("reminders: gave up %d after %d attempts", len(given_up), max_attempts)
            rows = (
                await s.execute(
                    update(Reminder)
                    .where(Reminder.id.in_(select(pick.c.id)), available)
                    .values(
                        claimed_by=token,
                        claimed_at=now,
                        retry_at=now + lease,
                    )
                    .returning(*COLUMNS)
                    .execution_options(synchronize_session=False)
                )
            ).all()
        claimed, unreadable = [], []
        for row in rows:
            try:
                claimed.append(self._record(row))
            except Exception as exc:  # one bad row must not hold up its batch
                log.warning("reminder %s unreadable: %s", row.id, type(exc).__name__)
                unreadable.append(row.id)
        if unreadable:
            async with self.sessions.begin() as s:
                await s.execute(
                    update(Reminder)
                    .where(Reminder.id.in_(unreadable), Reminder.claimed_by == token)
                    .values(
                        claimed_by=None, last_error="unreadable", attempts=Reminder.attempts + 1
                    )
                    .execution_options(synchronize_session=False)
                )
        return sorted(claimed, key=lambda r: (r.due_at, r.id))

    async def reserve_slots(
        self, count: int, per_second: float, now: float, pace: str = "reminders"
    ) -> float:
        """Reserve ``count`` sending slots shared by every instance; return the first one's
        time (epoch seconds). The slots follow each other at ``per_second``."""
        span = count / per_second
        moved = (
            update(SendPace)
            .where(SendPace.name == pace)
            .values(
                next_slot=case((SendPace.next_slot > now, SendPace.next_slot), else_=now) + span
            )
            .returning(SendPace.next_slot)
            .execution_options(synchronize_session=False)
        )
        async with self.sessions.begin() as s:
            end = await s.scalar(moved)
            if end is None:
                s.add(SendPace(name=pace, next_slot=now + span))
                return now
        return float(end) - span

    async def begin_send(self, reminder_id: str, token: str, now: datetime) -> bool:
        """Mark a claimed row 'sending' just before the Bot API call; False (do not send) if
        the claim was lost, the row was cancelled meanwhile or its worker removed."""
        async with self.sessions.begin() as s:
            done = await s.scalar(
                update(Reminder)
                .where(
                    Reminder.id == reminder_id,
                    Reminder.claimed_by == token,
                    _unsent(),
                    exists().where(Worker.id == Reminder.worker_id, Worker.active.is_(True)),
                )
                .values(sending_at=now)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            return done is not None

    async def mark_sent(self, reminder_id: str, token: str, now: datetime) -> bool:
        """Record a delivery under this claim; False if the claim was lost or the row was
        cancelled meanwhile."""
        return await self._settle(
            reminder_id,
            token,
            Reminder.cancelled.is_(False),
            sent_at=now,
            claimed_by=None,
            retry_at=None,
            last_error=None,
        )

    async def release(
        self,
        reminder_id: str,
        token: str,
        retry_at: datetime,
        error: str | None,
        counted: bool | None = None,
    ) -> bool:
        """Give a claimed row back (not delivered), to be tried again at ``retry_at``.

        A failure (``error``) uses up one of its attempts unless ``counted`` says otherwise;
        a row given back unsent for pacing (no error) does not."""
        used = (error is not None) if counted is None else counted
        return await self._settle(
            reminder_id,
            token,
            claimed_by=None,
            retry_at=retry_at,
            last_error=error,
            sending_at=None,
            attempts=Reminder.attempts + int(used),
        )

    async def drop(self, reminder_id: str, token: str, error: str | None = None) -> bool:
        """Cancel a claimed row instead of sending it (no longer wanted, or failed for good)."""
        return await self._settle(
            reminder_id, token, cancelled=True, claimed_by=None, last_error=error
        )

    async def _settle(
        self, reminder_id: str, token: str, *conds: ColumnElement[bool], **values: object
    ) -> bool:
        async with self.sessions.begin() as s:
            done = await s.scalar(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.claimed_by == token, *conds)
                .values(**values)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            return done is not None

    async def cancel(self, worker_id: int, reminder_id: str) -> bool:
        """Cancel one of the worker's pending reminders; False if it was not pending."""
        return (
            await self._cancel_where(
                Reminder.id == reminder_id, Reminder.worker_id == worker_id, _unsent()
            )
            > 0
        )

    async def cancel_about(
        self, worker_id: int, ref_id: str, kinds: Iterable[str], sent_too: bool = False
    ) -> int:
        """Cancel the worker's reminders of these kinds about one note, action or draft.

        ``sent_too`` also closes rows already sent (a question answered for good)."""
        conds = [
            Reminder.worker_id == worker_id,
            Reminder.ref_id == ref_id,
            Reminder.kind.in_(list(kinds)),
            Reminder.cancelled.is_(False),
        ]
        if not sent_too:
            conds.append(Reminder.sent_at.is_(None))
        return await self._cancel_where(*conds)

    async def _cancel_where(self, *conds: object) -> int:
        async with self.sessions.begin() as s:
            gone = await s.execute(
                update(Reminder)
                .where(*conds)  # type: ignore[arg-type]
                .values(cancelled=True)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            return len(gone.all())

    async def worker_unreachable(self, worker_id: int, now: datetime) -> None:
        """Telegram said the worker blocked the bot: hold their reminders (the sweep does not
        claim them) and make no new ones until any update from them shows they are back."""
        async with self.sessions.begin() as s:
            await s.execute(update(Worker).where(Worker.id == worker_id).values(blocked_at=now))

    async def reschedule(
        self,
        worker_id: int,
        kinds: Iterable[str],
        due: Callable[[ReminderRecord], datetime | None],
    ) -> int:
        """Move the worker's pending reminders of these kinds to ``due(row)`` (None: leave)."""
        moved = 0
        async with self.sessions.begin() as s:
            rows = (
                await s.execute(
                    select(*COLUMNS).where(
                        Reminder.worker_id == worker_id,
                        Reminder.kind.in_(list(kinds)),
                        _unsent(),
                        Reminder.claimed_by.is_(None),
                    )
                )
            ).all()
            for row in rows:
                at = due(self._record(row))
                if at is not None and at != row.due_at:
                    await s.execute(
                        update(Reminder)
                        .where(Reminder.id == row.id, Reminder.claimed_by.is_(None))
                        .values(due_at=at, retry_at=None)
                        .execution_options(synchronize_session=False)
                    )
                    moved += 1
        return moved

    async def forget_pending(self, worker_id: int, kinds: Iterable[str]) -> None:
        """Delete unclaimed pending rows the sweep makes by itself (it makes them anew)."""
        async with self.sessions.begin() as s:
            await s.execute(
                delete(Reminder)
                .where(
                    Reminder.worker_id == worker_id,
                    Reminder.kind.in_(list(kinds)),
                    _unsent(),
                    Reminder.claimed_by.is_(None),
                )
                .execution_options(synchronize_session=False)
            )

    async def count_pending(self) -> int:
        """How many reminders wait to be sent (all workers)."""
        async with self.sessions() as s:
            return int(
                await s.scalar(select(func.count()).select_from(Reminder).where(_unsent())) or 0
            )


async def cancel_pending(s: AsyncSession, worker_id: int) -> int:
    """Cancel all of a worker's unsent reminders inside the caller's transaction."""
    gone = await s.execute(
        update(Reminder)
        .where(Reminder.worker_id == worker_id, _unsent())
        .values(cancelled=True)
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    return len(gone.all())


def has_reminder(kind: str, ref: InstrumentedAttribute[str] | str) -> Exists:
    """An EXISTS clause: a reminder of ``kind`` about ``ref`` was ever made."""
    return exists().where(Reminder.kind == kind, Reminder.ref_id == ref)
