"""Who may read what: every read of a participant or a saved note asks here, so the rule
lives in one place.

The rule (``may_read``): an active worker reads their own records; an active supervisor also
reads the records of every worker in their team (a participant follows their worker's team,
so moving a worker moves their caseload). Admin is a right to manage people, not to read:
an admin reads a team's notes only if they are also its supervisor. A removed worker reads
nothing. Reading is all a non-owner gets: writing (addenda, actions) stays the owner's.
"""

from __future__ import annotations

from bot.service.deps import Turn
from storage.records import NoteRecord, ParticipantRecord, WorkerRecord


def may_read(reader: WorkerRecord, owner: WorkerRecord) -> bool:
    """Whether ``reader`` may read records that belong to ``owner``."""
    if not reader.active:
        return False
    if reader.id == owner.id:
        return True
    return reader.role == "supervisor" and reader.team is not None and reader.team == owner.team


def owns(turn: Turn, record: NoteRecord | ParticipantRecord) -> bool:
    """Whether the record is the turn's worker's own (so they may also write to it)."""
    return record.worker_id == turn.worker.id


async def caseloads(turn: Turn) -> list[WorkerRecord]:
    """The workers whose participants this worker may find by name: their own first, then,
    for a supervisor, each team member's (a removed worker's caseload stays readable)."""
    me = turn.worker
    if not me.active:
        return []
    if me.role != "supervisor" or me.team is None:
        return [me]
    team = await turn.storage.workers.in_team(me.team)
    return [me, *(w for w in team if w.id != me.id and may_read(me, w))]


async def _owner_if_readable(turn: Turn, owner_id: int | None) -> int | None:
    if owner_id is None or turn.worker.role != "supervisor":
        return None
    owner = await turn.storage.workers.get(owner_id)
    return owner_id if owner is not None and may_read(turn.worker, owner) else None


async def person(turn: Turn, participant_id: str) -> ParticipantRecord | None:
    """The participant, if this worker may read their record."""
    if not turn.worker.active:
        return None
    mine = await turn.storage.participants.get(turn.worker.id, participant_id)
    if mine is not None:
        return mine
    owner = await _owner_if_readable(
        turn, await turn.storage.participants.owner_of(participant_id)
    )
    return None if owner is None else await turn.storage.participants.get(owner, participant_id)


async def note(turn: Turn, note_id: str) -> NoteRecord | None:
    """The saved note, if this worker may read it."""
    if not turn.worker.active:
        return None
    mine = await turn.storage.notes.get(turn.worker.id, note_id)
    if mine is not None:
        return mine
    owner = await _owner_if_readable(turn, await turn.storage.notes.owner_of(note_id))
    return None if owner is None else await turn.storage.notes.get(owner, note_id)


async def note_with_person(
    turn: Turn, note_id: str
) -> tuple[NoteRecord, ParticipantRecord | None] | None:
    """The note and whom it is about, if this worker may read it."""
    found = await note(turn, note_id)
    if found is None:
        return None
    who = (
        await turn.storage.participants.get(found.worker_id, found.participant_id)
        if found.participant_id
        else None
    )
    return found, who
