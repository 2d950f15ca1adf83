"""The one open draft per worker: encrypted engine state plus the chat messages it produced."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from storage.models import Draft
from storage.records import DraftRecord
from storage.repositories.base import Repository, audit, new_id, utcnow


class DraftRepository(Repository):
    """Every change is committed before the caller replies, so a restart loses nothing."""

    def _record(self, row: Draft) -> DraftRecord:
        return DraftRecord(
            id=row.id,
            worker_id=row.worker_id,
            state=self.open_json(row.state_enc, "drafts", "state_enc", row.id),
            message_ids=tuple(json.loads(row.message_ids or "[]")),
            prompt_message_id=row.prompt_message_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    async def get(self, worker_id: int) -> DraftRecord | None:
        """Return the worker's open draft, if any."""
        async with self.sessions() as s:
            row = await s.scalar(select(Draft).where(Draft.worker_id == worker_id))
            return self._record(row) if row else None

    async def start(
        self, worker_id: int, state: dict[str, Any], now: datetime | None = None
    ) -> DraftRecord:
        """Replace any open draft with a fresh one."""
        now = now or utcnow()
        did = new_id()
        async with self.sessions.begin() as s:
            await s.execute(delete(Draft).where(Draft.worker_id == worker_id))
            row = Draft(
                id=did,
                worker_id=worker_id,
                state_enc=self.seal_json(state, "drafts", "state_enc", did),
                message_ids="[]",
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.add(audit("draft.started", worker_id, did))
        return self._record(row)

    async def update(
        self,
        draft_id: str,
        *,
        state: dict[str, Any] | None = None,
        add_messages: tuple[int, ...] = (),
        prompt_message_id: int | None = None,
        now: datetime | None = None,
    ) -> DraftRecord | None:
        """Store new state and/or remember message ids; None if the draft is gone."""
        async with self.sessions.begin() as s:
            row = await s.get(Draft, draft_id)
            if row is None:
                return None
            if state is not None:
                row.state_enc = self.seal_json(state, "drafts", "state_enc", draft_id)
            if add_messages:
                ids = json.loads(row.message_ids or "[]")
                ids.extend(m for m in add_messages if m not in ids)
                row.message_ids = json.dumps(ids)
            if prompt_message_id is not None:
                row.prompt_message_id = prompt_message_id
            if state is not None:
                row.updated_at = now or utcnow()
            return self._record(row)

    async def discard(self, worker_id: int) -> DraftRecord | None:
        """Delete the worker's draft and return what it was (for tidy-up)."""
        async with self.sessions.begin() as s:
            row = await s.scalar(select(Draft).where(Draft.worker_id == worker_id))
            if row is None:
                return None
            rec = self._record(row)
            await s.delete(row)
            s.add(audit("draft.discarded", worker_id, rec.id))
            return rec
