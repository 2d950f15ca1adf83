"""Who may read what: every read of a participant or a saved note asks here, so the rule
lives in one place (today: a worker reads their own records only)."""

from __future__ import annotations

from bot.service.deps import Turn
from storage.records import NoteRecord, ParticipantRecord


async def person(turn: Turn, participant_id: str) -> ParticipantRecord | None:
    """The participant, if this worker may read their record."""
    return await turn.storage.participants.get(turn.worker.id, participant_id)


async def note(turn: Turn, note_id: str) -> NoteRecord | None:
    """The saved note, if this worker may read it."""
    return await turn.storage.notes.get(turn.worker.id, note_id)


async def note_with_person(
    turn: Turn, note_id: str
) -> tuple[NoteRecord, ParticipantRecord | None] | None:
    """The note and whom it is about, if this worker may read it."""
    found = await note(turn, note_id)
    if found is None:
        return None
    who = await person(turn, found.participant_id) if found.participant_id else None
    return found, who
