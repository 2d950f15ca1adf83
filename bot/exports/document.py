"""A saved note or a participant's whole record as plain values: what the full-note card and
every export format show, decided once. Nothing here knows Telegram or a file format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.service import policy
from conversations import rules
from conversations.fields import format_duration
from conversations.render import RenderedSection, render_sections
from conversations.template import Template, get_template
from storage.records import AddendumRecord, NoteRecord, ParticipantRecord

#: The export formats, in the order their buttons show (bot.exports.formats builds them).
FORMATS = ("pdf", "docx", "txt")
LATE_RULE = "Notes are due within 24 hours of the session."
CONSENT_DECLINED = (
    "Consent to documentation was declined: only the session details and the consent answer "
    "were recorded."
)


@dataclass(frozen=True)
class AddendumView:
    when: str  # 'Mon 23 Nov 2026, 10:05'
    author: str
    reason: str
    text: str


@dataclass(frozen=True)
class NoteView:
    """One saved note, every section as saved, addenda after it."""

    note_id: str
    heading: str  # 'Session on Sun 22 Nov 2026, 15:00 · 45 min'
    facts: tuple[tuple[str, str], ...]  # (label, value): template, written by, saved, late...
    sections: tuple[RenderedSection, ...]
    addenda: tuple[AddendumView, ...]
    consent_declined: bool


@dataclass(frozen=True)
class RecordDocument:
    """What an export holds: a title, facts about the person and export, then the notes."""

    title: str  # 'Case notes: Zoë Nguyễn'
    facts: tuple[tuple[str, str], ...]
    notes: tuple[NoteView, ...]
    #: A file name without extension and without the participant's name (it shows in chats).
    stem: str


def local_text(moment: datetime, tz: str) -> str:
    """'Sun 22 Nov 2026, 15:00' in the worker's timezone."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def session_heading(note: NoteRecord, tz: str) -> str:
    """'Session on Sun 22 Nov 2026, 15:00 · 45 min'."""
    if note.session_start is None:
        return "Session (date not recorded)"
    text = f"Session on {local_text(note.session_start, tz)}"
    if note.duration_minutes:
        text += f" · {format_duration(note.duration_minutes)}"
    return text


def template_of(note: NoteRecord) -> Template | None:
    """The template version the note was written with (None if it is no longer shipped)."""
    try:
        return get_template(note.template_id, note.template_version)
    except LookupError:
        return None


def saved_sections(template: Template | None, note: NoteRecord) -> tuple[RenderedSection, ...]:
    """Every section as saved; under consent declined, the unrecorded ones say so."""
    answers = note.content.get("answers", {})
    if template is None:  # its template is gone: show the answers as plainly as possible
        lines = tuple(
            (key.replace("_", " ").capitalize(), plain_value(v)) for key, v in answers.items()
        )
        return (RenderedSection("answers", "Answers", lines),)
    return render_sections(template, answers, lambda f: rules.applies(template, f, answers))


def plain_value(value: Any) -> str:
    """An answer without its template: lists and items as words, not Python reprs."""
    if isinstance(value, dict):
        return ", ".join(plain_value(v) for v in value.values() if v not in (None, "", []))
    if isinstance(value, list):
        items = [plain_value(v) for v in value]
        if any(isinstance(v, dict) for v in value):
            return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
        return ", ".join(items)
    return "—" if value in (None, "") else str(value)


def note_view(
    note: NoteRecord,
    addenda: list[AddendumRecord],
    *,
    author: str,
    tz: str,
    intact: bool,
) -> NoteView:
    """Decide what a saved note shows: heading, facts, sections, addenda."""
    template = template_of(note)
    facts: list[tuple[str, str]] = [
        (
            "Template",
            f"{template.title if template else note.template_id} "
            f"(version {note.template_version})",
        ),
        ("Written by", author),
    ]
    if note.completed_at is not None:
        facts.append(("Saved", local_text(note.completed_at, tz)))
    late = policy.late_text(note)
    if late:
        facts.append(("Late", f"{late[0].upper()}{late[1:]}. {LATE_RULE}"))
    declined = bool(note.content.get("consent_declined"))
    if note.content_hash is not None:
        state = "locked and unchanged" if intact else "DOES NOT MATCH its saved hash"
        facts.append(("Record", f"{state} (hash {note.content_hash[:12]})"))
    extra = tuple(
        AddendumView(local_text(a.created_at, tz), a.author, a.reason, a.text) for a in addenda
    )
    return NoteView(
        note.id,
        session_heading(note, tz),
        tuple(facts),
        saved_sections(template, note),
        extra,
        declined,
    )


def note_views(
    notes: list[NoteRecord],
    addenda: Mapping[str, list[AddendumRecord]],
    *,
    authors: Mapping[int, str],
    tz: str,
    intact: Callable[[NoteRecord], bool],
) -> list[NoteView]:
    """``note_view`` for each note, with its addenda and its author's name."""
    return [
        note_view(
            n,
            addenda.get(n.id, []),
            author=authors.get(n.worker_id, f"worker {n.worker_id}"),
            tz=tz,
            intact=intact(n),
        )
        for n in notes
    ]


def record_document(
    person: ParticipantRecord,
    notes: list[NoteView],
    *,
    exported_by: str,
    now: datetime,
    tz: str,
) -> RecordDocument:
    """A participant's record (or one note of it) ready for any format."""
    facts: list[tuple[str, str]] = [("Participant", person.name)]
    if person.age is not None:
        facts.append(("Age", str(person.age)))
    if person.pronouns:
        facts.append(("Pronouns", person.pronouns))
    facts += [
        ("Sessions in this document", str(len(notes))),
        ("Exported by", exported_by),
        ("Exported", local_text(now, tz)),
    ]
    local = now.astimezone(ZoneInfo(tz))
    initials = policy.initials(person.name).replace(".", "").replace(" ", "") or "P"
    one = "note" if len(notes) == 1 else "record"
    return RecordDocument(
        f"Case notes: {person.name}",
        tuple(facts),
        tuple(notes),
        f"casenotes-{one}-{initials}-{local:%Y-%m-%d}",
    )
