"""A participant's rights in storage: what erasure would remove, the erasure itself, the
records due under the retention period, and the reviews a subject access export shows.

An erasure is one transaction over every table that holds their content: notes, addenda,
actions, reminders about those, the worker's draft if it is about them, reviews of their
notes, the name index and the participant row. The audit trail keeps that it happened (ids
only; its entries cannot be removed without breaking the chain). On SQLite the transaction
runs with ``secure_delete`` so freed bytes are zeroed in the file; ``scrub()`` afterwards
truncates the write-ahead log (SQLite) or vacuums the touched tables (PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, delete, func, or_, select, text
from sqlalchemy.exc import DBAPIError

from storage.models import (
    Action,
    Addendum,
    Draft,
    Note,
    Participant,
    ParticipantWord,
    PendingAddendum,
    PendingReview,
    Reminder,
    Review,
)
from storage.records import DraftRecord, Kind
from storage.repositories.base import Repository, audit
from storage.repositories.drafts import DraftRepository

#: The tables an erasure deletes from, vacuumed afterwards on PostgreSQL.
TOUCHED = (
    "participant_words",
    "drafts",
    "reminders",
    "reviews",
    "pending_reviews",
    "pending_addenda",
    "addenda",
    "actions",
    "notes",
    "participants",
)


@dataclass(frozen=True)
class ErasureCounts:
    """How many rows of each kind an erasure removes (or removed)."""

    notes: int = 0
    addenda: int = 0
    actions: int = 0
    reminders: int = 0
    drafts: int = 0
    reviews: int = 0
    #: Addenda and reviews being written about their notes, and their name index words.
    pending: int = 0
    words: int = 0

    def summary(self) -> str:
        """'notes: 3, addenda: 1, ...' for the operator (no '1 drafts')."""
        parts = ("notes", "addenda", "actions", "reminders", "drafts", "reviews")
        return ", ".join(f"{p}: {getattr(self, p)}" for p in parts)


@dataclass(frozen=True)
class DueRecord:
    """A participant past the retention period: ids, a date and a count, no names."""

    participant_id: str
    worker_id: int
    last_session: date | None
    created: date
    notes: int


class RecordMoved(Exception):
    """The worker's draft changed while an erasure was being prepared; try again."""


class _Gone(Exception):
    """The participant went (or, for retention, had a session) before the erasure began."""


def mentions(value: Any, ids: frozenset[str]) -> bool:
    """True if any string inside a JSON value is one of ``ids`` (or a 'p:' button token)."""
    if isinstance(value, str):
        return value in ids or value.removeprefix("p:") in ids
    if isinstance(value, dict):
        return any(mentions(v, ids) for v in value.values())
    if isinstance(value, list | tuple):
        return any(mentions(v, ids) for v in value)
    return False


def _notes_of(pid: str) -> Select[Any]:
    return select(Note.id).where(Note.participant_id == pid)


def _actions_of(pid: str) -> Select[Any]:
    return select(Action.id).where(Action.note_id.in_(_notes_of(pid)))


def _reviews_of(pid: str) -> Select[Any]:
    return select(Review.id).where(Review.note_id.in_(_notes_of(pid)))


def _reminders_of(pid: str, draft_id: str | None) -> Any:
    """Reminders about their notes (sessions), their actions, reviews of their notes, them,
    or their draft."""
    about = or_(
        Reminder.ref_id.in_(_notes_of(pid)),
        Reminder.ref_id.in_(_actions_of(pid)),
        and_(Reminder.ref_id.in_(_reviews_of(pid)), Reminder.kind.in_(Kind.REVIEWS)),
        Reminder.ref_id == pid,
    )
    if draft_id is not None:
        about = or_(about, and_(Reminder.ref_id == draft_id, Reminder.kind.in_(Kind.DRAFTS)))
    return about


class ErasureRepository(Repository):
    """Erasure and retention; every method takes ids, never names."""

    async def _draft_about(self, pid: str, owner: int) -> tuple[DraftRecord | None, bool]:
        """The owner's open draft and whether it refers to the participant or their notes."""
        draft = await DraftRepository(self.sessions, self.ring).get(owner)
        if draft is None:
            return None, False
        async with self.sessions() as s:
            notes = set((await s.scalars(_notes_of(pid))).all())
            actions = set((await s.scalars(_actions_of(pid))).all())
        return draft, mentions(draft.state, frozenset({pid, *notes, *actions}))

    async def plan(self, pid: str) -> tuple[int, ErasureCounts] | None:
        """The owning worker and what erasing the participant would remove (None: no such)."""
        async with self.sessions() as s:
            owner = await s.scalar(select(Participant.worker_id).where(Participant.id == pid))
        if owner is None:
            return None
        draft, drafted = await self._draft_about(pid, owner)
        draft_id = draft.id if draft is not None and drafted else None
        notes = _notes_of(pid).subquery()
        async with self.sessions() as s:

            async def count(query: Any) -> int:
                return int(await s.scalar(query) or 0)

            counts = ErasureCounts(
                notes=await count(select(func.count()).select_from(notes)),
                addenda=await count(
                    select(func.count()).where(Addendum.note_id.in_(_notes_of(pid)))
                ),
                actions=await count(select(func.count()).where(Action.id.in_(_actions_of(pid)))),
                reminders=await count(select(func.count()).where(_reminders_of(pid, draft_id))),
                drafts=int(drafted),
                reviews=await count(
                    select(func.count()).where(Review.note_id.in_(_notes_of(pid)))
                ),
            )
        return owner, counts

    async def erase(
        self,
        pid: str,
        *,
        actor: str,
        reason: str,
        due_before: datetime | None = None,
    ) -> ErasureCounts | None:
        """Remove the participant's content everywhere in one transaction, audited as
        'participant.erased' with ``reason`` ('request' or 'retention') as its ref.

        Returns what was removed, or None if there is no such participant (or, with
        ``due_before``, if they had a session since and are no longer due). Call
        ``scrub()`` after the last erasure of a batch.
        """
        for _ in range(5):
            try:
                gone = await self._erase_once(pid, actor, reason, due_before)
            except RecordMoved:
                continue
            except _Gone:
                return None
            return gone
        raise RecordMoved("the participant's draft kept changing; try the erasure again")

    async def _erase_once(
        self, pid: str, actor: str, reason: str, due_before: datetime | None
    ) -> ErasureCounts | None:
        async with self.sessions() as s:
            owner = await s.scalar(select(Participant.worker_id).where(Participant.id == pid))
        if owner is None:
            return None
        draft, drafted = await self._draft_about(pid, owner)
        sqlite = self.sessions.kw["bind"].dialect.name == "sqlite"
        async with self.sessions.begin() as s:
            if sqlite:
                # Zero what is deleted, in the pages written to the file. Left on for this
                # pooled connection: it only makes its later deletes zero their bytes too.
                await s.execute(text("PRAGMA secure_delete=ON"))
            gone: dict[str, int] = {}

            async def drop(name: str, query: Any) -> None:
                result = await s.execute(query.execution_options(synchronize_session=False))
                rows = cast("CursorResult[Any]", result).rowcount
                gone[name] = gone.get(name, 0) + max(rows, 0)

            # A write first: on SQLite it takes the write lock, so the check below holds.
            await drop(
                "words", delete(ParticipantWord).where(ParticipantWord.participant_id == pid)
            )
            person = (
                await s.execute(
                    select(Participant.last_session_at, Participant.created_at)
                    .where(Participant.id == pid)
                    .with_for_update()
                )
            ).first()
            if person is None or (
                due_before is not None and (person[0] or person[1]) >= due_before
            ):
                raise _Gone
            current = (
                await s.execute(
                    select(Draft.id, Draft.seq).where(Draft.worker_id == owner).with_for_update()
                )
            ).first()
            seen = None if draft is None else (draft.id, draft.seq)
            if (None if current is None else tuple(current)) != seen:
                raise RecordMoved  # the draft moved on since it was read: read it again
            draft_id = draft.id if draft is not None and drafted else None
            await drop("reminders", delete(Reminder).where(_reminders_of(pid, draft_id)))
            if draft_id is not None:
                await drop("drafts", delete(Draft).where(Draft.id == draft_id))
            about = Review.note_id.in_(_notes_of(pid))
            await drop("reviews", delete(Review).where(about))
            await drop(
                "pending", delete(PendingReview).where(PendingReview.note_id.in_(_notes_of(pid)))
            )
            await drop(
                "pending",
                delete(PendingAddendum).where(PendingAddendum.note_id.in_(_notes_of(pid))),
            )
            await drop("addenda", delete(Addendum).where(Addendum.note_id.in_(_notes_of(pid))))
            await drop("actions", delete(Action).where(Action.note_id.in_(_notes_of(pid))))
            await drop("notes", delete(Note).where(Note.participant_id == pid))
            await drop("participants", delete(Participant).where(Participant.id == pid))
            await audit(
                s, self.ring, "participant.erased", None, reason, participant_id=pid, actor=actor
            )
        gone.pop("participants", None)
        return ErasureCounts(**gone)

    async def scrub(self) -> str | None:
        """After erasures: truncate SQLite's log (it holds old page images); vacuum the
        touched tables on PostgreSQL so dead row versions are pruned. Returns what could not
        be done, for the operator, or None."""
        engine = self.sessions.kw["bind"]
        async with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                busy = await conn.scalar(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                if busy:
                    return (
                        "the write-ahead log is in use (is the bot running?): older copies of "
                        "the erased pages leave it at its next checkpoint"
                    )
                return None
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                await auto.exec_driver_sql("VACUUM " + ", ".join(TOUCHED))
            except DBAPIError as exc:
                reason = type(exc.orig or exc).__name__
                return (
                    f"VACUUM failed ({reason}): run VACUUM on {', '.join(TOUCHED)} as their owner"
                )
            return None

    async def due(self, cutoff: datetime) -> list[DueRecord]:
        """Participants whose last session (or, without one, their record's creation) is
        before ``cutoff``, oldest first, with their note counts."""
        stale = or_(
            and_(Participant.last_session_at.is_not(None), Participant.last_session_at < cutoff),
            and_(Participant.last_session_at.is_(None), Participant.created_at < cutoff),
        )
        counted = (
            select(Note.participant_id, func.count().label("n"))
            .group_by(Note.participant_id)
            .subquery()
        )
        query = (
            select(
                Participant.id,
                Participant.worker_id,
                Participant.last_session_at,
                Participant.created_at,
                func.coalesce(counted.c.n, 0),
            )
            .outerjoin(counted, counted.c.participant_id == Participant.id)
            .where(stale)
        )
        async with self.sessions() as s:
            rows = (await s.execute(query)).all()
        found = [
            DueRecord(pid, wid, last.date() if last else None, created.date(), int(n))
            for pid, wid, last, created, n in rows
        ]
        return sorted(found, key=lambda r: (r.last_session or r.created, r.participant_id))
