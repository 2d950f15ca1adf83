"""The audit trail: who looked at or exported which record, and when; never content."""

from __future__ import annotations

from storage.repositories.base import Repository, audit


class AuditRepository(Repository):
    """Reads are audited as well as writes: mental-health records must be accountable."""

    async def record(self, kind: str, worker_id: int | None, ref_id: str | None = None) -> None:
        """Write one event ('note.viewed', 'record.exported', ...) with the record's id."""
        async with self.sessions.begin() as s:
            s.add(audit(kind, worker_id, ref_id))
