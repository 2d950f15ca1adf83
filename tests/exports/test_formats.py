"""Every export format carries the whole note as saved, and only what consent allows."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest

from bot.exports.document import CONSENT_DECLINED, note_view, record_document
from bot.exports.formats import FORMATS, export
from conversations.render import NOT_RECORDED
from conversations.template import get_template
from storage.records import ParticipantRecord
from tests.conversations.walker import Walker, fill_peer_support, save
from tests.exports.samples import (
    ADDENDUM,
    FOLLOW_UP,
    NOW,
    REASON,
    TZ,
    addendum,
    declined_answers,
    document,
    flat,
    full_answers,
    note,
    readable,
    sample,
)

TEMPLATE = get_template("peer_support", 2)
#: Every answer of the full note, as a reader sees it.
ANSWERS = (
    "Sun 22 Nov 2026",
    "15:00",
    "45 min",
    "One-to-one",
    "Community centre, Grünwald Street",
    "Zoë Nguyễn, age 29, she/they",
    "Consent to documentation: Yes",
    "Anxiety, Housing",
    "Worried about an eviction notice",
    "Talked through the letter from the landlord; Zoë was worried about the deadline.",
    "Agreed to contact the council housing team together.",
    "Anxious, Hopeful",
    "Calmer by the end of the session",
    "6/10",
    "1. Call the council housing team — Participant — due Fri 27 Nov 2026",
    "2. Send leaflet on tenants' rights — Peer worker",
    "Tue 1 Dec 2026",
    "14:00",
    FOLLOW_UP,
)
#: What a note with consent declined must not show, even if its stored answers held it.
WITHHELD = ("Summary", "Self-rated wellbeing", "Agreed actions:", "eviction", "3/10", "Tags")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_section_and_answer_is_exported(fmt: str) -> None:
    text = flat(readable(fmt, export(sample(), fmt).content))
    for section in TEMPLATE.sections:
        assert section.title in text or section.title.upper() in text, section.title
    for answer in ANSWERS:
        assert flat(answer) in text, answer
    for name in ("Case notes: Zoë Nguyễn", "Ąžuolas Kowalczyk", "Sam Okafor"):
        assert name in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_sections_follow_the_template_and_the_addendum_follows_its_note(fmt: str) -> None:
    lines = [line.strip() for line in readable(fmt, export(sample(), fmt).content).splitlines()]
    titles = [s.title.upper() if fmt == "txt" else s.title for s in TEMPLATE.sections]
    first_note = [lines.index(t) for t in titles]  # a title alone on its line
    assert first_note == sorted(first_note)
    reason = next(i for i, line in enumerate(lines) if REASON in line)
    second_note = next(i for i, line in enumerate(lines) if line.startswith(CONSENT_DECLINED[:30]))
    assert first_note[-1] < reason < second_note
    text = flat("\n".join(lines))
    assert text.index(FOLLOW_UP) < text.index(flat(ADDENDUM)) < text.index(flat(CONSENT_DECLINED))


@pytest.mark.parametrize("fmt", FORMATS)
def test_declined_consent_exports_only_what_it_allows(fmt: str) -> None:
    # Met only in a declined session: the bot kept the name, nothing personal.
    person = ParticipantRecord("p1", 1, "Zoë Nguyễn", None, None, None)
    stored = declined_answers() | {"summary": "Talked about the eviction", "wellbeing": 3}
    view = note_view(note(stored, declined=True), [], author="Sam Okafor", tz=TZ, intact=True)
    doc = record_document(person, [view], exported_by="Sam Okafor", now=NOW, tz=TZ)
    text = flat(readable(fmt, export(doc, fmt).content))
    assert flat(CONSENT_DECLINED) in text
    for kept in ("Sun 22 Nov 2026", "15:00", "45 min", "Zoë Nguyễn", "Consent to documentation"):
        assert kept in text
    for section in TEMPLATE.sections:
        assert section.title in text or section.title.upper() in text
    assert text.count(NOT_RECORDED) == 5  # concerns, summary, observations, actions, next
    for withheld in WITHHELD:
        assert withheld not in text, withheld


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_note_the_engine_saves_exports_every_answer(fmt: str) -> None:
    w = Walker()
    fill_peer_support(w)
    saved = save(w)
    doc = document((note(saved.answers), [addendum()]))
    text = flat(readable(fmt, export(doc, fmt).content))
    for answer in (
        "Community centre",
        "Alex, age 34, they/them",
        "Talked through the letter from the landlord.",
        "Call the council housing team — Participant — due",
        "How the council call went",
    ):
        assert answer in text, answer


def test_files_are_named_without_the_participant() -> None:
    doc = sample()
    files = [export(doc, fmt) for fmt in FORMATS]
    assert [f.filename for f in files] == [
        "casenotes-record-ZN-2026-11-24.pdf",
        "casenotes-record-ZN-2026-11-24.docx",
        "casenotes-record-ZN-2026-11-24.txt",
    ]
    assert [f.mime.split("/")[0] for f in files] == ["application", "application", "text"]
    assert files[0].content.startswith(b"%PDF-")
    assert files[1].content.startswith(b"PK")  # a .docx is a zip archive
    assert "Zoë" not in repr(files[2])
    with pytest.raises(ValueError):
        export(doc, "rtf")


def test_exports_write_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work, temp = tmp_path / "cwd", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    for fmt in FORMATS:
        assert export(sample(), fmt).content
    assert list(work.iterdir()) == []
    assert list(temp.iterdir()) == []


def test_exports_log_nothing_the_worker_typed(caplog: pytest.LogCaptureFixture) -> None:
    # DejaVu Sans has no Chinese or emoji glyphs; fpdf2 would log the missing characters.
    answers = full_answers(location="王府井 🙂", follow_up="Ask about 王府井")
    doc = document((note(answers), [addendum()]))
    caplog.set_level(logging.DEBUG)
    files = {fmt: export(doc, fmt) for fmt in FORMATS}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("王", "🙂", "Zoë", "eviction", "Nguy"):
        assert secret not in logged
    assert "王府井 🙂" in readable("txt", files["txt"].content)
    assert "王府井 🙂" in readable("docx", files["docx"].content)
    assert "Location: ??? ?" in readable("pdf", files["pdf"].content)


def test_a_note_whose_template_is_gone_reads_as_words() -> None:
    from datetime import UTC, datetime

    from bot.exports.document import note_view
    from storage.records import NoteRecord

    at = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    note = NoteRecord(
        "n1",
        None,
        1,
        at,
        45,
        "retired_template",
        3,
        {
            "answers": {
                "participant": {"name": "Zoë", "age": 30},
                "concern_tags": ["housing", "sleep"],
                "actions": [{"what": "Call", "who": "participant"}],
            }
        },
        "complete",
        at,
        at,
        False,
    )
    view = note_view(note, [], author="Kim", tz="Europe/London", intact=True)
    lines = dict(view.sections[0].lines)
    assert lines == {
        "Participant": "Zoë, 30",
        "Concern tags": "housing, sleep",
        "Actions": "1. Call, participant",
    }
