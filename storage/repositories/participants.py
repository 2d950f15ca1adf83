"""Participants: found by blind index, always scoped to the worker who owns them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import drop_invisible
from storage.models import Participant
from storage.records import NewParticipant, ParticipantRecord
from storage.repositories.base import Repository, new_id, utcnow

T = "participants"


class ParticipantRepository(Repository):
    """A worker's participants. No method returns another worker's rows."""

    def record(self, row: Participant) -> ParticipantRecord:
        """Decrypt one row into a value."""
        age = self.open_text(row.age_enc, T, "age_enc", row.id)
        return ParticipantRecord(
            id=row.id,
            worker_id=row.worker_id,
            name=self.open_text(row.name_enc, T, "name_enc", row.id) or "",
            age=int(age) if age and age.isdigit() else (age or None),
            pronouns=self.open_text(row.pronouns_enc, T, "pronouns_enc", row.id),
            last_session_at=row.last_session_at,
        )

    def build(self, worker_id: int, team: str | None, new: NewParticipant) -> Participant:
        """Make a sealed row for a new participant (the caller adds it to a session)."""
        pid = new_id()
        name = " ".join(drop_invisible(new.name).split())
        return Participant(
            id=pid,
            worker_id=worker_id,
            team=team,
            name_enc=self.seal_text(name, T, "name_enc", pid),
            age_enc=self.seal_text(None if new.age is None else str(new.age), T, "age_enc", pid),
            pronouns_enc=self.seal_text(new.pronouns, T, "pronouns_enc", pid),
            name_index=self.ring.blind_index(name),
            created_at=utcnow(),
        )

    async def add(
        self, worker_id: int, new: NewParticipant, team: str | None = None
    ) -> ParticipantRecord:
        """Store a participant on their own (notes usually add them in their transaction)."""
        row = self.build(worker_id, team, new)
        async with self.sessions.begin() as s:
            s.add(row)
        return self.record(row)

    async def get(self, worker_id: int, participant_id: str) -> ParticipantRecord | None:
        """Return the worker's participant, or None if it is someone else's or unknown."""
        async with self.sessions() as s:
            row = await owned(s, worker_id, participant_id)
            return self.record(row) if row else None

    async def find_by_name(self, worker_id: int, name: str) -> list[ParticipantRecord]:
        """Look up by exact (normalised) name through the blind index, not by decrypting."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Participant)
                .where(
                    Participant.worker_id == worker_id,
                    Participant.name_index == self.ring.blind_index(name),
                )
                .order_by(Participant.last_session_at.desc().nulls_last())
            )
            return [self.record(r) for r in rows]

    async def recent(self, worker_id: int, limit: int = 6) -> list[ParticipantRecord]:
        """Return the worker's participants seen most recently first."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Participant)
                .where(Participant.worker_id == worker_id)
                .order_by(
                    Participant.last_session_at.desc().nulls_last(), Participant.created_at.desc()
                )
                .limit(limit)
            )
            return [self.record(r) for r in rows]


async def owned(s: AsyncSession, worker_id: int, participant_id: str) -> Participant | None:
    """Fetch a participant row only if this worker owns it."""
    return await s.scalar(
        select(Participant).where(
            Participant.id == participant_id, Participant.worker_id == worker_id
        )
    )
