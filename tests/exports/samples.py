"""Saved notes as the bot stores them, turned into export documents through document.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import docx
from pypdf import PdfReader

from bot.exports.document import RecordDocument, note_view, record_document
from storage.records import AddendumRecord, NoteRecord, ParticipantRecord

TZ = "Europe/London"
START = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
PERSON = ParticipantRecord("p1", 1, "Zoë Nguyễn", 29, "she/they", START)
SUMMARY = (
    "Talked through the letter from the landlord; Zoë was worried about the deadline.\n\n"
    "Agreed to contact the council housing team together."
)
FOLLOW_UP = "How the call with Ąžuolas Kowalczyk at the council went"
REASON = "Participant's surname was misspelt"
ADDENDUM = "The correct spelling is Nguyễn; she asked that it be used from now on."


def full_answers(**changes: Any) -> dict[str, Any]:
    """Every peer_support question answered, in the shapes the engine saves."""
    answers: dict[str, Any] = {
        "date": "2026-11-22",
        "start_time": "15:00",
        "duration": 45,
        "session_type": "one_to_one",
        "location": "Community centre, Grünwald Street",
        "participant": {"id": "p1", "name": "Zoë Nguyễn", "age": 29, "pronouns": "she/they"},
        "consent": "yes",
        "concern_tags": ["anxiety", "housing"],
        "concerns": "Worried about an eviction notice",
        "summary": SUMMARY,
        "emotional_state": ["anxious", "hopeful"],
        "emotional_notes": "Calmer by the end of the session",
        "wellbeing": 6,
        "actions": [
            {"what": "Call the council housing team", "who": "participant", "due": "2026-11-27"},
            {"what": "Send leaflet on tenants' rights", "who": "worker", "due": None},
        ],
        "next_date": "2026-12-01",
        "next_time": "14:00",
        "follow_up": FOLLOW_UP,
    }
    return answers | changes


def declined_answers() -> dict[str, Any]:
    """What a note keeps when consent to documentation is declined."""
    return {
        "date": "2026-11-22",
        "start_time": "15:00",
        "duration": 45,
        "participant": {"id": "p1", "name": "Zoë Nguyễn"},
        "consent": "no",
    }


def note(answers: dict[str, Any], *, declined: bool = False, note_id: str = "n1") -> NoteRecord:
    """A locked, saved peer_support (version 2) note."""
    saved = START + timedelta(hours=2)
    return NoteRecord(
        id=note_id,
        participant_id="p1",
        worker_id=1,
        session_start=START,
        duration_minutes=45,
        template_id="peer_support",
        template_version=2,
        content={"answers": answers, "consent_declined": declined},
        status="complete",
        created_at=saved,
        completed_at=saved,
        late=False,
        content_hash="a1b2c3d4e5f6a7b8c9d0",
    )


def addendum(note_id: str = "n1") -> AddendumRecord:
    """A correction added the day after the note was saved."""
    return AddendumRecord(
        "a1", note_id, 1, "Sam Okafor", REASON, ADDENDUM, START + timedelta(days=1, hours=1)
    )


def document(*notes: tuple[NoteRecord, list[AddendumRecord]]) -> RecordDocument:
    """A participant's record holding ``notes``, each with its addenda."""
    views = [note_view(n, a, author="Sam Okafor", tz=TZ, intact=True) for n, a in notes]
    return record_document(PERSON, views, exported_by="Sam Okafor", now=NOW, tz=TZ)


def sample() -> RecordDocument:
    """One full note with an addendum, then one where consent was declined."""
    return document(
        (note(full_answers()), [addendum()]),
        (note(declined_answers(), declined=True, note_id="n2"), []),
    )


def readable(fmt: str, content: bytes) -> str:
    """The text a reader gets back out of an export: PDF and DOCX parsed, TXT decoded."""
    if fmt == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    if fmt == "docx":
        return "\n".join(p.text for p in docx.Document(BytesIO(content)).paragraphs)
    return content.decode("utf-8")


def flat(text: str) -> str:
    """Runs of whitespace as one space: PDF lines wrap wherever the page ends."""
    return " ".join(text.split())
