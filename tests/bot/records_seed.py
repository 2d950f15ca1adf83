"""Saved notes put straight into storage, for tests that read records back."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.records import NewAction, NewNote, NewParticipant, NoteRecord
from storage.service import Storage


async def seed_note(
    storage: Storage,
    worker_id: int,
    start: datetime,
    *,
    name: str | None = None,
    participant_id: str | None = None,
    summary: str = "Talked it through.",
    wellbeing: int | None = 6,
    declined: bool = False,
    actions: tuple[str, ...] = (),
    saved_after: timedelta = timedelta(hours=2),
) -> NoteRecord:
    """One peer-support note as the bot would save it."""
    answers: dict[str, object] = {
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "duration": 45,
        "participant": {"name": name or "?", "age": 34, "pronouns": "they/them"},
        "consent": "no" if declined else "yes",
    }
    if not declined:
        answers |= {
            "session_type": "one_to_one",
            "concern_tags": ["housing"],
            "concerns": "Worried about eviction",
            "summary": summary,
            "emotional_state": ["calm"],
        }
        if wellbeing is not None:
            answers["wellbeing"] = wellbeing
        if actions:
            answers["actions"] = [{"what": a, "who": "participant"} for a in actions]
    return await storage.notes.save(
        NewNote(
            worker_id=worker_id,
            template_id="peer_support",
            template_version=2,
            content={"answers": answers, "consent_declined": declined},
            session_start=start,
            duration_minutes=45,
            participant_id=participant_id,
            new_participant=NewParticipant(name) if name and not participant_id else None,
            actions=tuple(NewAction(a, "participant", None) for a in actions),
            late=saved_after > timedelta(hours=25),
        ),
        start + saved_after,
    )
