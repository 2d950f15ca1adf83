"""'What happened last time with Alex?': find a participant and their last session."""

from __future__ import annotations

from bot.service.deps import Turn
from bot.service.replies import EXPIRED, Button, LastSession, Notice, People, Reply, notice
from conversations.fields import strip_invisible
from conversations.template import get_template
from storage.records import ParticipantRecord


async def recent(turn: Turn, limit: int = 8) -> Reply:
    """The worker's most recent participants, one tap from their last session."""
    people = await turn.storage.participants.recent(turn.worker.id, limit)
    if not people:
        return notice("You have no participants yet. They are added as you write notes.")
    return _choose("Whose last session?", people, turn)


def _choose(title: str, people: list[ParticipantRecord], turn: Turn) -> Reply:
    screen = People(title, tuple(people), turn.worker.timezone)
    rows = tuple((Button(p.name, f"l|{p.id}"),) for p in people)
    return Reply(screens=(screen,), buttons=rows)


async def last(turn: Turn, name: str) -> Reply:
    """/last [name]: the last session with someone, found through the blind index."""
    name = " ".join(strip_invisible(name).split())
    if not name:
        return await recent(turn)
    found = await turn.storage.participants.find_by_name(turn.worker.id, name)
    if not found:
        missing = f"I can't find anyone called {name} among your participants."
        people = await turn.storage.participants.recent(turn.worker.id, 8)
        if not people:
            return Reply(screens=(Notice(missing),))
        return _choose(f"{missing} Your recent ones:", people, turn)
    if len(found) == 1:
        return await card(turn, found[0])
    return _choose(f"More than one {name}. Which one?", found, turn)


async def open_person(turn: Turn, participant_id: str) -> Reply:
    """A participant button: only the worker's own participants answer."""
    person = await turn.storage.participants.get(turn.worker.id, participant_id)
    if person is None:
        return Reply(toast=EXPIRED)
    return await card(turn, person)


async def card(turn: Turn, person: ParticipantRecord) -> Reply:
    """The last-session card: when, concerns, summary, open actions."""
    notes = await turn.storage.notes.for_participant(turn.worker.id, person.id, limit=1)
    if not notes:
        return notice(f"No sessions recorded with {person.name} yet.")
    note = notes[0]
    try:
        template = get_template(note.template_id, note.template_version)
    except LookupError:
        template = None
    actions = await turn.storage.notes.open_actions(turn.worker.id, person.id)
    screen = LastSession(
        person.name, note, template, tuple(actions), turn.worker.timezone, turn.now
    )
    return Reply(screens=(screen,))
