"""A participant's whole record for a subject access request: the document every export
shows (each note as rendered, its addenda) plus the state of its actions and its reviews,
and the same as JSON for a machine to read. Pure: values in, bytes out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from bot.exports.document import NoteView, RecordDocument, local_text
from conversations.render import RenderedSection
from storage.records import AddendumRecord, NoteRecord, ParticipantRecord
from storage.repositories.reviews import ReviewRecord


def _when(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def action_section(note: NoteRecord) -> RenderedSection | None:
    """The note's actions with whether each is done now (the note shows them as agreed)."""
    if not note.actions:
        return None
    lines = tuple(
        (
            "Done" if a.done else "Open",
            a.text + f" ({a.who}" + (f", due {a.due:%d %b %Y})" if a.due else ")"),
        )
        for a in note.actions
    )
    return RenderedSection("action_status", "Actions: status now", lines)


def review_section(reviews: list[ReviewRecord], tz: str) -> RenderedSection | None:
    """Supervisors' reviews of the note, oldest first."""
    if not reviews:
        return None
    lines = tuple(
        (
            f"{r.status.replace('_', ' ').capitalize()} · {local_text(r.created_at, tz)}",
            f"by worker {r.reviewer_id}" + (f": {r.comment}" if r.comment else ""),
        )
        for r in reviews
    )
    return RenderedSection("reviews", "Reviews", lines)


def with_status(
    views: list[NoteView],
    notes: list[NoteRecord],
    reviews: Mapping[str, list[ReviewRecord]],
    tz: str,
) -> list[NoteView]:
    """Each note's view with its actions' status and its reviews added as sections."""
    out = []
    for view, note in zip(views, notes, strict=True):
        extra = [action_section(note), review_section(reviews.get(note.id, []), tz)]
        out.append(replace(view, sections=view.sections + tuple(s for s in extra if s)))
    return out


def as_json(
    person: ParticipantRecord,
    doc: RecordDocument,
    notes: list[NoteRecord],
    addenda: Mapping[str, list[AddendumRecord]],
    reviews: Mapping[str, list[ReviewRecord]],
    *,
    exported_by: str,
    now: datetime,
) -> bytes:
    """The whole record as UTF-8 JSON: stored answers and their rendering, every addendum,
    action and review."""
    body: dict[str, Any] = {
        "kind": "casenotes subject access export",
        "exported_at": now.isoformat(),
        "exported_by": exported_by,
        "participant": {
            "id": person.id,
            "worker_id": person.worker_id,
            "name": person.name,
            "age": person.age,
            "pronouns": person.pronouns,
            "last_session_at": _when(person.last_session_at),
        },
        "notes": [
            _note(note, view, addenda.get(note.id, []), reviews.get(note.id, []))
            for note, view in zip(notes, doc.notes, strict=True)
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def _note(
    note: NoteRecord, view: NoteView, addenda: list[AddendumRecord], reviews: list[ReviewRecord]
) -> dict[str, Any]:
    return {
        "id": note.id,
        "worker_id": note.worker_id,
        "heading": view.heading,
        "session_start": _when(note.session_start),
        "duration_minutes": note.duration_minutes,
        "template": {"id": note.template_id, "version": note.template_version},
        "created_at": _when(note.created_at),
        "completed_at": _when(note.completed_at),
        "late": note.late,
        "consent_declined": view.consent_declined,
        "facts": dict(view.facts),
        "sections": [
            {"title": s.title, "note": s.note, "lines": [list(line) for line in s.lines]}
            for s in view.sections
        ],
        "answers": note.content.get("answers", {}),
        "actions": [
            {"id": a.id, "text": a.text, "who": a.who, "due": _when(a.due), "done": a.done}
            for a in note.actions
        ],
        "addenda": [
            {
                "id": a.id,
                "author": a.author,
                "worker_id": a.worker_id,
                "created_at": _when(a.created_at),
                "reason": a.reason,
                "text": a.text,
            }
            for a in addenda
        ],
        "reviews": [
            {
                "id": r.id,
                "reviewer_id": r.reviewer_id,
                "status": r.status,
                "comment": r.comment,
                "created_at": _when(r.created_at),
                "answered_at": _when(r.answered_at),
                "addendum_id": r.addendum_id,
            }
            for r in reviews
        ],
    }
