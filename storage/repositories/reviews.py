"""Supervisors' reviews of notes, the revision comment being typed, and the answers.

A review, the reminder row that tells its worker and the audit entry are written in one
transaction: the notification is as durable as the review (the sweep retries a failed send).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from storage.models import Note, PendingReview, Reminder, Review
from storage.records import Kind, NewReminder
from storage.repositories.base import Repository, audit, new_id
from storage.repositories.reminders import ReminderRepository

T = "reviews"
STATUSES = ("reviewed", "needs_revision")
AUDIT_KINDS = {"reviewed": "note.reviewed", "needs_revision": "note.revision_requested"}
NOTIFY = {"reviewed": Kind.NOTE_REVIEWED, "needs_revision": Kind.REVISION_ASKED}


@dataclass(frozen=True)
class ReviewRecord:
    id: str
    note_id: str
    #: The note's worker (whom the review is for) and the supervisor who wrote it.
    worker_id: int
    reviewer_id: int
    status: str
    comment: str | None
    created_at: datetime
    answered_at: datetime | None
    addendum_id: str | None


class ReviewRepository(Repository):
    """Reviews are only added and answered, never edited: a later review supersedes."""

    def _record(self, row: Review) -> ReviewRecord:
        comment = self.open_text(row.comment_enc, T, "comment_enc", row.id, owner=row.worker_id)
        return ReviewRecord(
            row.id,
            row.note_id,
            row.worker_id,
            row.reviewer_id,
            row.status,
            comment,
            row.created_at,
            row.answered_at,
            row.addendum_id,
        )

    async def for_notes(self, note_ids: Iterable[str]) -> dict[str, list[ReviewRecord]]:
        """Reviews of each note, oldest first (the caller checked access): for a subject
        access export."""
        ids = list(note_ids)
        if not ids:
            return {}
        async with self.sessions() as s:
            rows = (
                await s.scalars(
                    select(Review)
                    .where(Review.note_id.in_(ids))
                    .order_by(Review.created_at, Review.id)
                )
            ).all()
        out: dict[str, list[ReviewRecord]] = {}
        for row in rows:
            out.setdefault(row.note_id, []).append(self._record(row))
        return out

    def _notice(self, kind: str, to: int, review_id: str, now: datetime) -> Reminder:
        """The reminder row that tells ``to`` (no text: nothing to show on a lock screen)."""
        new = NewReminder(kind, now, review_id, dedupe=f"{kind}:{review_id}")
        return ReminderRepository(self.sessions, self.ring).build(to, new)

    async def add(
        self,
        note_id: str,
        reviewer_id: int,
        status: str,
        now: datetime,
        comment: str | None = None,
        *,
        from_pending: bool = False,
    ) -> ReviewRecord | None:
        """Record a review of a note (the caller checked the reviewer may read it), tell its
        worker, audit it. With ``from_pending`` the reviewer's pending comment for this note
        is spent by the same transaction: None if it was already spent (a double send)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        rid = new_id()
        async with self.sessions.begin() as s:
            note = (
                await s.execute(
                    select(Note.worker_id, Note.participant_id).where(Note.id == note_id)
                )
            ).first()
            if note is None:
                return None
            spent = await s.execute(
                delete(PendingReview).where(
                    PendingReview.reviewer_id == reviewer_id, PendingReview.note_id == note_id
                )
            )
            if from_pending and not spent.rowcount:  # type: ignore[attr-defined]
                return None
            worker_id, participant_id = note
            row = Review(
                id=rid,
                note_id=note_id,
                worker_id=worker_id,
                reviewer_id=reviewer_id,
                status=status,
                comment_enc=self.seal_text(comment, T, "comment_enc", rid, owner=worker_id),
                created_at=now,
            )
            s.add(row)
            s.add(self._notice(NOTIFY[status], worker_id, rid, now))
            await s.flush()
            kind = AUDIT_KINDS[status]
            await audit(s, self.ring, kind, reviewer_id, note_id, participant_id=participant_id)
            return self._record(row)

    async def answer(self, note_id: str, worker_id: int, addendum_id: str, now: datetime) -> int:
        """An addendum under the worker's note answers its open revisions: mark them and tell
        each reviewer. Returns how many were answered."""
        async with self.sessions.begin() as s:
            rows = (
                await s.scalars(
                    select(Review).where(
                        Review.note_id == note_id,
                        Review.worker_id == worker_id,
                        Review.status == "needs_revision",
                        Review.answered_at.is_(None),
                    )
                )
            ).all()
            if not rows:
                return 0
            await s.execute(
                update(Review)
                .where(Review.id.in_([r.id for r in rows]), Review.answered_at.is_(None))
                .values(answered_at=now, addendum_id=addendum_id)
                .execution_options(synchronize_session=False)
            )
            for r in rows:
                s.add(self._notice(Kind.REVISION_ANSWERED, r.reviewer_id, r.id, now))
            participant_id = await s.scalar(select(Note.participant_id).where(Note.id == note_id))
            await s.flush()
            await audit(
                s,
                self.ring,
                "note.revision_answered",
                worker_id,
                note_id,
                participant_id=participant_id,
            )
            return len(rows)

    async def open_revisions(self, worker_id: int, limit: int = 20) -> list[ReviewRecord]:
        """Revisions asked of this worker and not yet answered, oldest first."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Review)
                .where(
                    Review.worker_id == worker_id,
                    Review.status == "needs_revision",
                    Review.answered_at.is_(None),
                )
                .order_by(Review.created_at, Review.id)
                .limit(limit)
            )
            return [self._record(r) for r in rows]

    async def latest(self, note_id: str) -> ReviewRecord | None:
        """The note's latest review (the one that counts), if any."""
        async with self.sessions() as s:
            row = await s.scalar(
                select(Review)
                .where(Review.note_id == note_id)
                .order_by(Review.created_at.desc(), Review.id.desc())
                .limit(1)
            )
            return self._record(row) if row is not None else None

    async def begin_comment(self, reviewer_id: int, note_id: str, now: datetime) -> None:
        """The reviewer tapped "Needs revision": their next typed message is the comment."""
        async with self.sessions.begin() as s:
            await s.execute(delete(PendingReview).where(PendingReview.reviewer_id == reviewer_id))
            s.add(PendingReview(reviewer_id=reviewer_id, note_id=note_id, created_at=now))

    async def pending(self, reviewer_id: int) -> str | None:
        """The note whose revision comment the reviewer is typing, if any."""
        async with self.sessions() as s:
            return await s.scalar(
                select(PendingReview.note_id).where(PendingReview.reviewer_id == reviewer_id)
            )

    async def drop_pending(self, reviewer_id: int) -> bool:
        """Stop waiting for a comment; True if one was awaited."""
        async with self.sessions.begin() as s:
            gone = await s.execute(
                delete(PendingReview).where(PendingReview.reviewer_id == reviewer_id)
            )
            return bool(gone.rowcount)  # type: ignore[attr-defined]
