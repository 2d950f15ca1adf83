"""A record as a Word document (python-docx), A4, built in memory.

Named word.py, not docx.py, so that ``import docx`` keeps meaning the library.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from bot.exports.document import CONSENT_DECLINED, NoteView, RecordDocument
from bot.exports.text import CONFIDENTIAL, plain

GREY = RGBColor(0x60, 0x60, 0x60)
#: Characters XML 1.0 cannot hold: python-docx refuses a whole document over one of them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """``plain`` text, with what XML cannot hold shown as '?' (so it is seen, not lost)."""
    return plain(NOT_XML.sub("?", value))


INDENT = Cm(0.6)


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays the pages out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page(section: Section) -> None:
    """A4 with 2 cm margins, the confidentiality line on top and 'Page n of m' below."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    top = section.header.paragraphs[0]
    top.add_run(CONFIDENTIAL).font.size = Pt(8)
    bottom = section.footer.paragraphs[0]
    bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
    bottom.add_run("Page ")
    _field(bottom, "PAGE")
    bottom.add_run(" of ")
    _field(bottom, "NUMPAGES")


def _labelled(d: DocxDocument, label: str, value: str, grey: bool = False) -> None:
    """Bold 'Label:' and the value; a value of several lines goes indented below."""
    value = _text(value)
    p = d.add_paragraph()
    p.paragraph_format.space_after = Pt(2)
    p.add_run(_text(label) + ":").bold = True
    p.paragraph_format.keep_with_next = "\n" in value
    if "\n" not in value:
        p.add_run(" " + value)
    else:
        body = d.add_paragraph()
        body.paragraph_format.left_indent = INDENT
        body.paragraph_format.space_after = Pt(2)
        body.add_run(value)  # python-docx turns each '\n' into a line break
        p = body
    if grey:
        for run in p.runs:
            run.font.color.rgb = GREY


def _note(d: DocxDocument, note: NoteView) -> None:
    """One note: heading, facts, every section in template order, then its addenda."""
    d.add_heading(_text(note.heading), level=1)
    for label, value in note.facts:
        _labelled(d, label, value, grey=True)
    if note.consent_declined:
        d.add_paragraph().add_run(CONSENT_DECLINED).bold = True
    for section in note.sections:
        d.add_heading(_text(section.title), level=2)
        if section.note:
            d.add_paragraph().add_run(_text(section.note)).italic = True
        for label, value in section.lines:
            _labelled(d, label, value)
        if not section.note and not section.lines:
            d.add_paragraph("—")
    if note.addenda:
        d.add_heading("Addenda", level=2)
    for a in note.addenda:
        head = d.add_paragraph()
        head.paragraph_format.keep_with_next = True
        head.add_run(f"Addendum · {_text(a.when)} · {_text(a.author)}").bold = True
        _labelled(d, "Reason", a.reason)
        d.add_paragraph().add_run(_text(a.text))


def to_docx(doc: RecordDocument) -> bytes:
    """The whole document as .docx bytes; nothing is written to disk."""
    d = Document()
    _page(d.sections[0])
    # Metadata shows in file lists and previews: keep names out of it.
    props = d.core_properties
    props.title, props.author, props.last_modified_by = "Case notes", "casenotes", "casenotes"
    props.created = props.modified = datetime.now(UTC)
    d.add_heading(_text(doc.title), level=0)
    for label, value in doc.facts:
        _labelled(d, label, value)
    for note in doc.notes:
        _note(d, note)
    out = BytesIO()
    d.save(out)
    return out.getvalue()
