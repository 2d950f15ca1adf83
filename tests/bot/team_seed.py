"""A team as the tests need it: people who joined with role and team invites, and notes,
drafts and actions put straight into storage at known times."""

from __future__ import annotations

from datetime import date, datetime

from bot.fakeapi import FakeBotApi
from storage.records import NewAction, NewNote, NewParticipant, NoteRecord, WorkerRecord
from storage.service import Storage
from tests.bot.conftest import START
from tests.bot.harness import Person


async def join(
    storage: Storage,
    api: FakeBotApi,
    user_id: int,
    name: str,
    role: str = "worker",
    team: str | None = "north",
) -> tuple[Person, WorkerRecord]:
    """Someone who joins with an invite for ``role`` in ``team``, the way a real one does."""
    code = (await storage.workers.create_invite(role, team, now=START)).code
    person = Person(api, user_id, name)
    await person.say(f"/start {code}")
    record = await storage.workers.by_telegram_id(user_id)
    assert record is not None
    return person, record


async def note(
    storage: Storage,
    worker_id: int,
    start: datetime,
    saved: datetime,
    *,
    name: str | None = None,
    participant_id: str | None = None,
    actions: tuple[tuple[str, date | None], ...] = (),
    late: bool = False,
    summary: str = "Talked it through.",
) -> NoteRecord:
    """One saved note, started at ``start`` and saved at ``saved``."""
    answers = {
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "duration": 45,
        "participant": {"name": name or "?", "age": 34, "pronouns": "they/them"},
        "consent": "yes",
        "session_type": "one_to_one",
        "summary": summary,
    }
    return await storage.notes.save(
        NewNote(
            worker_id=worker_id,
            template_id="peer_support",
            template_version=2,
            content={"answers": answers, "consent_declined": False},
            session_start=start,
            duration_minutes=45,
            participant_id=participant_id,
            new_participant=NewParticipant(name) if name and not participant_id else None,
            actions=tuple(NewAction(text, "worker", due) for text, due in actions),
            late=late,
        ),
        saved,
    )
