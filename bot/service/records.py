"""Reading saved notes back: the full note, a participant's history, exports, progress."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.exports.document import FORMATS, NoteView, note_views, record_document
from bot.service import access
from bot.service.deps import Turn
from bot.service.lookup import CLOSE, no_sessions, pager, recent, resolve
from bot.service.people import heading, shorten
from bot.service.replies import (
    EXPIRED,
    Attachment,
    Button,
    FullNote,
    History,
    HistoryLine,
    Reply,
    notice,
)
from conversations.fields import format_duration
from conversations.template import get_template
from storage.records import NoteRecord, ParticipantRecord, SessionLine

#: Called when a slow request is accepted, so the front end can acknowledge it at once.
Started = Callable[[], Awaitable[None]]
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word", "txt": "Text"}
HISTORY_PAGE = 6
GIST = 70


async def _views(turn: Turn, notes: list[NoteRecord]) -> list[NoteView]:
    """The notes as shown and exported: addenda, authors and lock state read once."""
    addenda = await turn.storage.addenda.for_notes([n.id for n in notes])
    authors = {w: await _author(turn, w) for w in {n.worker_id for n in notes}}
    return note_views(
        notes,
        addenda,
        authors=authors,
        tz=turn.worker.timezone,
        intact=turn.storage.notes.intact,
    )


async def _author(turn: Turn, worker_id: int) -> str:
    if worker_id == turn.worker.id:
        return turn.worker.display_name or "you"
    other = await turn.storage.workers.get(worker_id)
    return other.display_name if other else f"worker {worker_id}"


async def full_note(turn: Turn, note_id: str) -> Reply:
    """Every section as saved, under its template version, the late mark, addenda below.
    Only the note's owner is offered an addendum: anyone else reads it."""
    found = await access.note_with_person(turn, note_id)
    if found is None:
        return Reply(toast=EXPIRED)
    note, person = found
    (view,) = await _views(turn, [note])
    await turn.storage.audit.record(
        "note.viewed", turn.worker.id, note.id, participant_id=note.participant_id
    )
    rows: list[tuple[Button, ...]] = [
        tuple(Button(f"⬇️ {FORMAT_LABELS[f]}", f"x|n|{note.id}|{f}") for f in FORMATS)
    ]
    if access.owns(turn, note):
        rows.insert(0, (Button("✏️ Add an addendum", f"ad|{note.id}"),))
    if person is not None:
        rows.append((Button("🗂 History", f"h|{person.id}"), CLOSE))
    else:
        rows.append((CLOSE,))
    name = await heading(turn, person) if person else "no participant recorded"
    return Reply(screens=(FullNote(name, view),), buttons=tuple(rows), card=True)


def _gist(line: SessionLine) -> str | None:
    """The first words of the session's summary, for a history line."""
    if line.content.get("consent_declined"):
        return "Consent to documentation declined."
    try:
        key = get_template(line.template_id, line.template_version).roles.get("summary")
    except LookupError:
        key = None
    text = " ".join(str(line.content.get("answers", {}).get(key or "summary") or "").split())
    if not text:
        return None
    return shorten(text, GIST)


async def history(turn: Turn, participant_id: str, page: int = 0, edit: bool = False) -> Reply:
    """A participant's sessions, newest first, a page at a time; each opens the full note."""
    person = await access.person(turn, participant_id)
    if person is None:
        return Reply(toast=EXPIRED)
    listing = await turn.storage.notes.history(person.worker_id, person.id, page, HISTORY_PAGE)
    if not listing.total:
        return await no_sessions(turn, person)
    await turn.storage.audit.record(
        "history.viewed", turn.worker.id, person.id, participant_id=person.id
    )
    lines: list[HistoryLine] = []
    rows: list[tuple[Button, ...]] = []
    for line in listing.items:
        when = _when(turn, line)
        marks = (["late"] if line.late else []) + (
            [f"{line.addenda} addend{'um' if line.addenda == 1 else 'a'}"] if line.addenda else []
        )
        lines.append(HistoryLine(when, tuple(marks), _gist(line)))
        rows.append((Button(f"📄 {when}", f"n|{line.note_id}"),))
    nav = pager(listing, f"h|{person.id}|{{}}", "◀ Newer", "Older ▶")
    if nav:
        rows.append(nav)
    rows.append((CLOSE,))
    screen = History(
        await heading(turn, person), tuple(lines), listing.page, listing.pages, listing.total
    )
    return Reply(screens=(screen,), buttons=tuple(rows), card=True, edit=edit)


def _when(turn: Turn, line: SessionLine) -> str:
    if line.session_start is None:
        return "date not recorded"
    local = line.session_start.astimezone(ZoneInfo(turn.worker.timezone))
    text = f"{local:%a} {local.day} {local:%b %Y}"
    if line.duration_minutes:
        text += f" · {format_duration(line.duration_minutes)}"
    return text


async def history_for(turn: Turn, name: str) -> Reply:
    """/history Alex."""
    if not name.strip():
        return await recent(turn, "h")
    found = await resolve(turn, name, "h")
    return found if isinstance(found, Reply) else await history(turn, found.id)


def _format_choice(person: ParticipantRecord) -> Reply:
    row = tuple(Button(FORMAT_LABELS[f], f"x|p|{person.id}|{f}") for f in FORMATS)
    return notice(f"Export {person.name}'s whole record as:", buttons=(row, (CLOSE,)), card=True)


async def export_for(turn: Turn, args: list[str]) -> Reply:
    """/export Alex [pdf|docx|txt]: the whole record, as a document."""
    fmt = args[-1].lower() if args and args[-1].lower() in FORMATS else None
    name = " ".join(args[:-1] if fmt else args)
    if not name.strip():
        return await recent(turn, "x")
    found = await resolve(turn, name, "x")
    if isinstance(found, Reply):
        return found
    return await export_record(turn, found.id, fmt) if fmt else _format_choice(found)


async def export_record(
    turn: Turn, participant_id: str, fmt: str | None, started: Started | None = None
) -> Reply:
    """A participant's whole record (every note and addendum) as a document; ``started`` is
    called once access is granted, before the (slow) build, to acknowledge the request."""
    person = await access.person(turn, participant_id)
    if person is None or (fmt is not None and fmt not in FORMATS):
        return Reply(toast=EXPIRED)
    if fmt is None:
        return _format_choice(person)
    notes = await turn.storage.notes.whole_record(person.worker_id, person.id)
    if not notes:
        return await no_sessions(turn, person)
    views = await _views(turn, notes)
    await turn.storage.audit.record(
        "record.exported", turn.worker.id, person.id, participant_id=person.id
    )
    return await _document(turn, person, views, fmt, started)


async def export_note(turn: Turn, note_id: str, fmt: str, started: Started | None = None) -> Reply:
    """One saved note with its addenda as a document."""
    found = await access.note_with_person(turn, note_id)
    if found is None or fmt not in FORMATS:
        return Reply(toast=EXPIRED)
    note, person = found
    (view,) = await _views(turn, [note])
    await turn.storage.audit.record(
        "note.exported", turn.worker.id, note.id, participant_id=note.participant_id
    )
    who = person or ParticipantRecord(
        "", note.worker_id, "no participant recorded", None, None, None
    )
    return await _document(turn, who, [view], fmt, started)


async def _document(
    turn: Turn,
    person: ParticipantRecord,
    views: list[NoteView],
    fmt: str,
    started: Started | None,
) -> Reply:
    if started is not None:
        await started()
    doc = record_document(
        person,
        views,
        exported_by=turn.worker.display_name or "you",
        now=turn.now,
        tz=turn.worker.timezone,
    )
    from bot.exports.formats import export  # fpdf2 and python-docx load on first export

    # ~0.2 s of CPU for a PDF: off the event loop, so other workers are not held up.
    out = await asyncio.to_thread(export, doc, fmt)
    sessions = f"{len(views)} session{'s' if len(views) != 1 else ''}"
    caption = f"Case notes ({sessions}). Confidential: keep it safe and delete it when done."
    toast = None if started is not None else "Preparing the export…"
    return Reply(toast=toast, document=Attachment(out.filename, out.content, caption))


async def progress_for(turn: Turn, name: str) -> Reply:
    """/progress Alex: a chart of wellbeing, sessions and actions over time."""
    if not name.strip():
        return await recent(turn, "g")
    found = await resolve(turn, name, "g")
    return found if isinstance(found, Reply) else await progress(turn, found.id)


async def progress(turn: Turn, participant_id: str) -> Reply:
    """The progress chart of one participant, as a picture."""
    person = await access.person(turn, participant_id)
    if person is None:
        return Reply(toast=EXPIRED)
    notes = await turn.storage.notes.whole_record(person.worker_id, person.id)
    if not notes:
        return await no_sessions(turn, person)
    from bot.exports.chart import progress_png, progress_points  # matplotlib loads lazily

    points = progress_points(notes, turn.worker.timezone)
    title = f"Progress: {await heading(turn, person)}"
    png = await asyncio.to_thread(progress_png, points, title)
    await turn.storage.audit.record(
        "progress.viewed", turn.worker.id, person.id, participant_id=person.id
    )
    rated = sum(1 for p in points if p.wellbeing is not None)
    caption = (
        f"{len(points)} session{'s' if len(points) != 1 else ''}, {rated} with a wellbeing rating."
    )
    return Reply(photo=Attachment("progress.png", png, caption), card=True)
