"""'What happened last time with Alex?': find a participant and show their last session."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

from bot.service import access
from bot.service.calendar import next_session_of
from bot.service.deps import Turn
from bot.service.people import find, heading, owners, shown
from bot.service.replies import EXPIRED, Button, LastSession, Notice, People, Reply, notice
from conversations.template import get_template
from storage.records import Page, ParticipantRecord

#: What a chosen person opens, by the purpose the list was shown for.
OPENS = {"l": "l|{}", "h": "h|{}", "g": "g|{}", "x": "x|p|{}"}
WHAT = {
    "l": "Whose last session?",
    "h": "Whose sessions?",
    "g": "Whose progress?",
    "x": "Whose record to export?",
}
CLOSE = Button("✖ Close", "c")
PAGE = 8
NO_PEOPLE = "You have no participants yet. They are added as you write notes."
#: At most this many matches as buttons: a longer list is a wall on a phone.
MATCHES = 10


def labels(
    people: list[ParticipantRecord] | tuple[ParticipantRecord, ...],
    tz: str,
    whose: dict[int, str] | None = None,
) -> list[str]:
    """Button labels: the name, and for two people of the same name what tells them apart;
    someone from another worker's caseload is marked with whose (``whose``: id to name)."""
    twins = Counter(p.name for p in people)
    out = []
    for p in people:
        owner = f" · {whose[p.worker_id]}'s" if whose and p.worker_id in whose else ""
        if twins[p.name] < 2:
            out.append(p.name + owner)
            continue
        if p.last_session_at is None:
            seen = "no sessions yet"
        else:
            local = p.last_session_at.astimezone(ZoneInfo(tz))
            seen = f"last seen {local:%a} {local.day} {local:%b %Y}"
        age = f" · age {p.age}" if p.age is not None else ""
        out.append(f"{p.name} · {seen}{age}{owner}")
    return out


async def choose(
    title: str, people: list[ParticipantRecord], turn: Turn, purpose: str = "l"
) -> Reply:
    """A list of people to pick from, each opening what ``purpose`` names."""
    if len(people) > MATCHES:
        title += (
            f" The {MATCHES} seen most recently are below; type more of the name to find "
            "someone else, or send /participants for everyone."
        )
        people = people[:MATCHES]
    screen = People(title, tuple(people), turn.worker.timezone)
    whose = await owners(turn, [p.worker_id for p in people])
    names = labels(people, turn.worker.timezone, whose)
    rows = tuple(
        (Button(label, OPENS[purpose].format(p.id)),)
        for p, label in zip(people, names, strict=True)
    )
    return Reply(screens=(screen,), buttons=(*rows, (CLOSE,)), card=True)


async def recent(turn: Turn, purpose: str = "l", limit: int = 8) -> Reply:
    """The worker's most recent participants, one tap away."""
    people = await turn.storage.participants.recent(turn.worker.id, limit)
    if not people:
        return notice(NO_PEOPLE)
    return await choose(WHAT[purpose], people, turn, purpose)


async def resolve(turn: Turn, typed: str, purpose: str) -> ParticipantRecord | Reply:
    """The one person a typed name means, or a reply offering who it might be."""
    found = await find(turn, typed)
    if len(found.matches) == 1:
        return found.matches[0]
    if found.matches:
        return await choose(
            f"More than one match for {shown(found.typed)}. Which one?",
            list(found.matches),
            turn,
            purpose,
        )
    if found.suggestions:
        return await choose(
            f"No one called {shown(found.typed)}. Did you mean:",
            list(found.suggestions),
            turn,
            purpose,
        )
    missing = f"I can't find anyone called {shown(found.typed)} among your participants."
    people = await turn.storage.participants.recent(turn.worker.id, PAGE)
    if not people:
        return Reply(screens=(Notice(missing),), card=True)
    return await choose(f"{missing} Your recent ones:", people, turn, purpose)


async def last(turn: Turn, name: str) -> Reply:
    """/last [name]: the last session with someone ('Alex' finds 'Alex Smith')."""
    if not name.strip():
        return await recent(turn)
    found = await resolve(turn, name, "l")
    return found if isinstance(found, Reply) else await card(turn, found)


async def open_person(turn: Turn, participant_id: str) -> Reply:
    """A participant button: only readable participants answer."""
    person = await access.person(turn, participant_id)
    if person is None:
        return Reply(toast=EXPIRED)
    return await card(turn, person)


async def participants(turn: Turn, search: str = "", page: int = 0, edit: bool = False) -> Reply:
    """/participants [name]: everyone, paged, most recently seen first; or a search."""
    if search.strip():
        found = await find(turn, search)
        people = list(found.matches or found.suggestions)
        if not people:
            return notice(
                f"I can't find anyone called {shown(found.typed)}. "
                "Send /participants for everyone.",
                card=True,
            )
        return await choose(f"Participants matching {shown(found.typed)}:", people, turn)
    listing = await turn.storage.participants.page(turn.worker.id, page, PAGE)
    if not listing.total:
        return notice(NO_PEOPLE)
    title = f"Your participants ({listing.total}), page {listing.page + 1} of {listing.pages}."
    if listing.pages > 1:
        title += " To search, send /participants and a name."
    screen = People(title, listing.items, turn.worker.timezone)
    names = labels(listing.items, turn.worker.timezone)
    rows: list[tuple[Button, ...]] = [
        (Button(label, f"l|{p.id}"),) for p, label in zip(listing.items, names, strict=True)
    ]
    nav = pager(listing, "p|{}", "◀ Previous", "Next ▶")
    if nav:
        rows.append(nav)
    rows.append((CLOSE,))
    return Reply(screens=(screen,), buttons=tuple(rows), card=True, edit=edit)


async def no_sessions(turn: Turn, person: ParticipantRecord) -> Reply:
    """What every record view says about someone with no saved session (it shows their
    name, so it is audited like any view)."""
    await turn.storage.audit.record(
        "participant.viewed", turn.worker.id, person.id, participant_id=person.id
    )
    return notice(f"No sessions recorded with {person.name} yet.", card=True)


def pager(listing: Page, data: str, back: str, forward: str) -> tuple[Button, ...]:
    """The buttons to the previous and next pages, where there are any (``data`` takes the
    page number)."""
    nav = []
    if listing.page > 0:
        nav.append(Button(back, data.format(listing.page - 1)))
    if listing.page < listing.pages - 1:
        nav.append(Button(forward, data.format(listing.page + 1)))
    return tuple(nav)


async def card(turn: Turn, person: ParticipantRecord) -> Reply:
    """The last-session card: when, concerns, summary, open actions, the next session.

    Read from the participant's own worker's records (a supervisor reads a team member's)."""
    note, actions = await turn.storage.notes.last_session(person.worker_id, person.id)
    if note is None:
        return await no_sessions(turn, person)
    try:
        template = get_template(note.template_id, note.template_version)
    except LookupError:
        template = None
    planned = next_session_of(note, turn.worker.timezone)
    screen = LastSession(
        await heading(turn, person),
        note,
        template,
        tuple(actions),
        turn.worker.timezone,
        turn.now,
        planned if planned is not None and planned > turn.now else None,
    )
    await turn.storage.audit.record(
        "last.viewed", turn.worker.id, note.id, participant_id=person.id
    )
    buttons = (
        (Button("📄 Full note", f"n|{note.id}"), Button("🗂 History", f"h|{person.id}")),
        (Button("📈 Progress", f"g|{person.id}"), Button("⬇️ Export", f"x|p|{person.id}")),
        (CLOSE,),
    )
    return Reply(screens=(screen,), buttons=buttons, card=True)
