"""The audit trail: who looked at, changed or exported which record, and when; never content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage import audit_chain
from storage.audit_chain import ChainReport
from storage.models import AuditEvent
from storage.repositories.base import Repository, audit


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    worker_id: int | None
    actor: str | None
    kind: str
    ref_id: str | None
    participant_id: str | None


class AuditRepository(Repository):
    """Reads are audited as well as writes: mental-health records must be accountable."""

    async def record(
        self,
        kind: str,
        worker_id: int | None,
        ref_id: str | None = None,
        *,
        participant_id: str | None = None,
        actor: str | None = None,
    ) -> None:
        """Append one event ('note.viewed', 'record.exported', ...) with the record's id."""
        async with self.sessions.begin() as s:
            await audit(
                s, self.ring, kind, worker_id, ref_id, participant_id=participant_id, actor=actor
            )

    async def record_many(
        self, kind: str, worker_id: int | None, participant_ids: list[str]
    ) -> None:
        """Append one event per participant, in one transaction (a list of names shown)."""
        if not participant_ids:
            return
        async with self.sessions.begin() as s:
            for pid in participant_ids:
                await audit(s, self.ring, kind, worker_id, pid, participant_id=pid)

    async def verify(self, logged: tuple[int, str] | None = None) -> ChainReport:
        """Check the whole chain; names the first entry that was edited, removed or moved
        (and, given a head from the log, whether the newest entries were cut off)."""
        return await audit_chain.verify(self.sessions, self.ring, logged)

    async def head(self) -> tuple[int, str]:
        """The chain's last position and hash, for the log."""
        return await audit_chain.head(self.sessions)

    async def entries(
        self,
        *,
        participant_id: str | None = None,
        worker_id: int | None = None,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """Entries in chain order, optionally about one participant, by one worker, or since
        a moment."""
        # Only entries inside the chain (1..head): a row slipped in beside it is not listed.
        head_seq, _ = await audit_chain.head(self.sessions)
        query = select(AuditEvent).where(AuditEvent.seq >= 1, AuditEvent.seq <= head_seq)
        if participant_id is not None:
            query = query.where(AuditEvent.participant_id == participant_id)
        if worker_id is not None:
            query = query.where(AuditEvent.worker_id == worker_id)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        async with self.sessions() as s:
            rows = (await s.scalars(query.order_by(AuditEvent.seq).limit(limit))).all()
        return [
            AuditEntry(
                int(r.seq or 0), r.at, r.worker_id, r.actor, r.kind, r.ref_id, r.participant_id
            )
            for r in rows
        ]
