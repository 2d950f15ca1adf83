"""Addenda: dated corrections under a locked note, and the one being written."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select

from storage.models import Addendum, Note, PendingAddendum, Worker
from storage.records import AddendumRecord, PendingAddendumRecord
from storage.repositories.base import Repository, audit, new_id

A = "addenda"
P = "pending_addenda"


class AddendumRepository(Repository):
    """A note is never changed in place; what is added goes here, with author and reason."""

    async def add(
        self, worker_id: int, note_id: str, reason: str, text: str, now: datetime
    ) -> AddendumRecord:
        """Store an addendum under the worker's own note and end any pending one."""
        aid = new_id()
        body = json.dumps({"reason": reason, "text": text}, ensure_ascii=False)
        async with self.sessions.begin() as s:
            mine = (
                await s.execute(
                    select(Note.participant_id).where(
                        Note.id == note_id, Note.worker_id == worker_id
                    )
                )
            ).first()
            if mine is None:
                raise PermissionError("not this worker's note")
            worker = await s.get(Worker, worker_id)
            s.add(
                Addendum(
                    id=aid,
                    note_id=note_id,
                    worker_id=worker_id,
                    body_enc=self.seal_text(body, A, "body_enc", aid, owner=worker_id),
                    created_at=now,
                )
            )
            await s.execute(delete(PendingAddendum).where(PendingAddendum.worker_id == worker_id))
            await audit(s, self.ring, "note.addendum", worker_id, note_id, participant_id=mine[0])
        return AddendumRecord(aid, note_id, worker_id, self._author(worker), reason, text, now)

    def _author(self, worker: Worker | None) -> str:
        if worker is None:
            return "unknown"
        name = self.open_text(
            worker.display_name_enc,
            "workers",
            "display_name_enc",
            worker.telegram_user_id,
            owner=None,
        )
        return name or f"worker {worker.id}"

    async def for_notes(self, note_ids: list[str]) -> dict[str, list[AddendumRecord]]:
        """Addenda under each of ``note_ids``, oldest first (the caller checked access)."""
        if not note_ids:
            return {}
        async with self.sessions() as s:
            rows = (
                await s.execute(
                    select(Addendum, Worker)
                    .join(Worker, Worker.id == Addendum.worker_id)
                    .where(Addendum.note_id.in_(note_ids))
                    .order_by(Addendum.created_at.asc(), Addendum.id)
                )
            ).all()
            out: dict[str, list[AddendumRecord]] = {}
            for row, worker in rows:
                body = json.loads(
                    self.open_text(row.body_enc, A, "body_enc", row.id, owner=row.worker_id)
                    or "{}"
                )
                out.setdefault(row.note_id, []).append(
                    AddendumRecord(
                        row.id,
                        row.note_id,
                        row.worker_id,
                        self._author(worker),
                        body.get("reason", ""),
                        body.get("text", ""),
                        row.created_at,
                    )
                )
            return out

    async def begin(self, worker_id: int, note_id: str, now: datetime) -> bool:
        """Start writing an addendum to the worker's own note (replacing one begun before)."""
        async with self.sessions.begin() as s:
            mine = (
                await s.execute(
                    select(Note.participant_id).where(
                        Note.id == note_id, Note.worker_id == worker_id
                    )
                )
            ).first()
            if mine is None:
                return False
            await s.execute(delete(PendingAddendum).where(PendingAddendum.worker_id == worker_id))
            s.add(
                PendingAddendum(id=new_id(), worker_id=worker_id, note_id=note_id, created_at=now)
            )
            return True

    async def pending(self, worker_id: int) -> PendingAddendumRecord | None:
        """The addendum the worker is writing, if any."""
        async with self.sessions() as s:
            row = await s.scalar(
                select(PendingAddendum).where(PendingAddendum.worker_id == worker_id)
            )
            if row is None:
                return None
            reason = self.open_text(row.reason_enc, P, "reason_enc", row.id, owner=row.worker_id)
            return PendingAddendumRecord(worker_id, row.note_id, reason, row.created_at)

    async def give_reason(self, worker_id: int, reason: str) -> bool:
        """Keep the reason for the addendum being written; False if there is none."""
        async with self.sessions.begin() as s:
            row = await s.scalar(
                select(PendingAddendum).where(PendingAddendum.worker_id == worker_id)
            )
            if row is None:
                return False
            row.reason_enc = self.seal_text(reason, P, "reason_enc", row.id, owner=row.worker_id)
            return True

    async def drop_pending(self, worker_id: int) -> bool:
        """Stop writing an addendum; True if one was begun."""
        async with self.sessions.begin() as s:
            gone = await s.execute(
                delete(PendingAddendum).where(PendingAddendum.worker_id == worker_id)
            )
            return bool(gone.rowcount)  # type: ignore[attr-defined]
