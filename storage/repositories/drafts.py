"""The one open draft per worker: encrypted engine state, its step number, its chat messages.

Every change to a draft is a compare-and-set on its step number (``seq``), so a stale button
or a double tap cannot overwrite a newer step; the loser is told and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Draft, DraftMessage
from storage.records import DraftRecord, TidyBatch
from storage.repositories.base import Repository, audit, new_id

T = "drafts"


class DraftConflict(Exception):
    """The draft is not as the caller expected: one is already open, it moved on, or it is gone."""


class DraftRepository(Repository):
    """Every change is committed before the caller replies, so a restart loses nothing."""

    async def get(self, worker_id: int) -> DraftRecord | None:
        """Return the worker's open draft, if any."""
        async with self.sessions() as s:
            row = await s.scalar(select(Draft).where(Draft.worker_id == worker_id))
            if row is None:
                return None
            return DraftRecord(
                id=row.id,
                worker_id=row.worker_id,
                seq=row.seq,
                state=self.open_json(row.state_enc, T, "state_enc", row.id, owner=row.worker_id),
                created_at=row.created_at,
                updated_at=row.updated_at,
            )

    async def start(self, worker_id: int, state: dict[str, Any], now: datetime) -> DraftRecord:
        """Open a draft at step 1; DraftConflict if the worker has one (discard it first)."""
        did = new_id()
        sealed, stored = self.seal_json_as_stored(state, T, "state_enc", did, owner=worker_id)
        async with self.sessions.begin() as s:
            dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
            # ON CONFLICT rather than catching the unique violation: two racing starts both
            # get an answer, and an unknown worker still fails loudly on its foreign key.
            added = await s.execute(
                dialect.insert(Draft)
                .values(
                    id=did,
                    worker_id=worker_id,
                    state_enc=sealed,
                    seq=1,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=[Draft.worker_id])
                .returning(Draft.id)
            )
            if added.scalar() is None:
                raise DraftConflict("the worker already has an open draft")
            await audit(s, self.ring, "draft.started", worker_id, did)
        return DraftRecord(did, worker_id, 1, stored, now, now)

    async def advance(
        self,
        draft_id: str,
        worker_id: int,
        expected_seq: int,
        state: dict[str, Any],
        now: datetime,
    ) -> DraftRecord | None:
        """Store the next step's state if the draft is still at ``expected_seq``, else None."""
        sealed, stored = self.seal_json_as_stored(state, T, "state_enc", draft_id, owner=worker_id)
        async with self.sessions.begin() as s:
            created = await s.scalar(
                update(Draft)
                .where(
                    Draft.id == draft_id,
                    Draft.worker_id == worker_id,
                    Draft.seq == expected_seq,
                )
                .values(state_enc=sealed, seq=Draft.seq + 1, updated_at=now)
                .returning(Draft.created_at)
                .execution_options(synchronize_session=False)
            )
        if created is None:
            return None
        return DraftRecord(draft_id, worker_id, expected_seq + 1, stored, created, now)

    async def discard(
        self, worker_id: int, draft_id: str, expected_seq: int | None = None
    ) -> DraftRecord | None:
        """Delete the draft if it is this worker's (and at ``expected_seq`` when given).

        Returns what was deleted, for tidy-up, or None if nothing matched. Its chat messages
        stay remembered until the caller forgets them.
        """
        query = delete(Draft).where(Draft.id == draft_id, Draft.worker_id == worker_id)
        if expected_seq is not None:
            query = query.where(Draft.seq == expected_seq)
        async with self.sessions.begin() as s:
            gone = (
                await s.execute(
                    query.returning(
                        Draft.state_enc, Draft.seq, Draft.created_at, Draft.updated_at
                    ).execution_options(synchronize_session=False)
                )
            ).one_or_none()
            if gone is None:
                return None
            await audit(s, self.ring, "draft.discarded", worker_id, draft_id)
        state = self.open_json(gone.state_enc, T, "state_enc", draft_id, owner=worker_id)
        return DraftRecord(draft_id, worker_id, gone.seq, state, gone.created_at, gone.updated_at)

    async def remember_messages(
        self,
        draft_id: str,
        worker_id: int,
        chat_id: int,
        message_ids: Sequence[int],
        now: datetime,
    ) -> None:
        """Remember chat messages a draft produced, so they can be deleted when it ends."""
        unique = list(dict.fromkeys(message_ids))
        if not unique:
            return
        async with self.sessions.begin() as s:
            await s.execute(
                insert(DraftMessage).values(
                    [
                        {
                            "draft_id": draft_id,
                            "worker_id": worker_id,
                            "chat_id": chat_id,
                            "message_id": mid,
                            "created_at": now,
                        }
                        for mid in unique
                    ]
                )
            )

    async def messages(self, draft_id: str) -> list[int]:
        """Return the draft's remembered message ids, oldest first, each once."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(DraftMessage.message_id)
                .where(DraftMessage.draft_id == draft_id)
                .distinct()
                .order_by(DraftMessage.message_id)
            )
            return list(rows)

    async def forget_messages(
        self, draft_id: str, message_ids: Sequence[int] | None = None
    ) -> None:
        """Forget some of a draft's messages (deleted, or never to be), or all when None."""
        query = delete(DraftMessage).where(DraftMessage.draft_id == draft_id)
        if message_ids is not None:
            if not message_ids:
                return
            query = query.where(DraftMessage.message_id.in_(list(message_ids)))
        async with self.sessions.begin() as s:
            await s.execute(query.execution_options(synchronize_session=False))

    async def tidy_backlog(
        self, now: datetime, max_age: timedelta, limit: int = 50
    ) -> list[TidyBatch]:
        """Return messages of ended drafts still to delete, oldest first, up to ``limit`` drafts.

        This is the retry queue for a tidy-up that failed. Rows older than ``max_age`` are
        dropped instead, whether or not their draft is still open: Telegram can no longer
        delete those messages. Returned rows stay until the caller forgets them.
        """
        cutoff = now - max_age
        ended = ~select(Draft.id).where(Draft.id == DraftMessage.draft_id).exists()
        oldest = func.min(DraftMessage.created_at)
        first_drafts = (
            select(DraftMessage.draft_id)
            .where(ended, DraftMessage.created_at > cutoff)
            .group_by(DraftMessage.draft_id)
            .order_by(oldest)
            .limit(limit)
        )
        async with self.sessions.begin() as s:
            await s.execute(
                delete(DraftMessage)
                .where(DraftMessage.created_at <= cutoff)
                .execution_options(synchronize_session=False)
            )
            rows = (
                await s.execute(
                    select(
                        DraftMessage.draft_id,
                        DraftMessage.worker_id,
                        DraftMessage.chat_id,
                        DraftMessage.message_id,
                        DraftMessage.created_at,
                    )
                    .where(
                        DraftMessage.draft_id.in_(first_drafts),
                        DraftMessage.created_at > cutoff,
                    )
                    .order_by(DraftMessage.message_id)
                )
            ).all()
        grouped: dict[tuple[str, int, int], list[Any]] = {}
        for row in rows:
            grouped.setdefault((row.draft_id, row.worker_id, row.chat_id), []).append(row)
        batches = [
            TidyBatch(
                draft_id,
                worker_id,
                chat_id,
                tuple(dict.fromkeys(r.message_id for r in group)),
                min(r.created_at for r in group),
            )
            for (draft_id, worker_id, chat_id), group in grouped.items()
        ]
        return sorted(batches, key=lambda b: (b.oldest, b.draft_id, b.chat_id))
