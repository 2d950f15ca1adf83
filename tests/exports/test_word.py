"""The Word document: A4, headings a reader can navigate by, header and page numbers."""

from __future__ import annotations

from io import BytesIO

import docx

from bot.exports.word import to_docx
from conversations.template import get_template
from tests.exports.samples import sample


def test_headings_outline_the_record() -> None:
    d = docx.Document(BytesIO(to_docx(sample())))
    styled = [(p.style.name if p.style else "", p.text) for p in d.paragraphs]
    outline = [(style, text) for style, text in styled if style.startswith(("Heading", "Title"))]
    titles = [s.title for s in get_template("peer_support", 2).sections]
    heading = "Session on Sun 22 Nov 2026, 15:00 · 45 min"
    expected = [
        ("Title", "Case notes: Zoë Nguyễn"),
        ("Heading 1", heading),
        *(("Heading 2", t) for t in titles),
        ("Heading 2", "Addenda"),
        ("Heading 1", heading),
        *(("Heading 2", t) for t in titles),
    ]
    assert outline == expected


def test_a4_with_the_confidential_line_and_page_numbers() -> None:
    d = docx.Document(BytesIO(to_docx(sample())))
    section = d.sections[0]
    width, height = section.page_width, section.page_height
    assert width is not None and height is not None
    assert (round(width.mm), round(height.mm)) == (210, 297)
    assert section.header.paragraphs[0].text == "Confidential: case notes"
    footer = section.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer
    assert 'w:instr="NUMPAGES"' in footer


def test_metadata_names_nobody() -> None:
    props = docx.Document(BytesIO(to_docx(sample()))).core_properties
    fields = (props.title, props.author, props.last_modified_by, props.subject, props.keywords)
    assert not any("Zo" in f or "Sam" in f for f in fields)
    assert props.created is not None and props.created.year >= 2025


def test_list_items_sit_under_their_label() -> None:
    d = docx.Document(BytesIO(to_docx(sample())))
    texts = [p.text for p in d.paragraphs]
    at = texts.index("Agreed actions:")
    assert texts[at + 1].splitlines() == [
        "1. Call the council housing team — Participant — due Fri 27 Nov 2026",
        "2. Send leaflet on tenants' rights — Peer worker",
    ]
    assert d.paragraphs[at + 1].paragraph_format.left_indent


def test_characters_xml_cannot_hold_show_as_question_marks() -> None:
    """Whoever asks for the file (the bot or the CLI), one such character must not sink it."""
    from tests.exports.samples import document, full_answers, note

    doc = document((note(full_answers(summary="a\x00b\x0c and \ufffe end")), []))
    body = "\n".join(p.text for p in docx.Document(BytesIO(to_docx(doc))).paragraphs)
    assert "a?b? and ? end" in body
