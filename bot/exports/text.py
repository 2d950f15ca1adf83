"""A record as plain UTF-8 text: opens anywhere and pastes into any case-management system."""

from __future__ import annotations

import unicodedata

from bot.exports.document import CONSENT_DECLINED, AddendumView, NoteView, RecordDocument

CONFIDENTIAL = "Confidential: case notes"
INDENT = "  "
#: Characters every format can carry; other control characters break XML (DOCX) and fonts.
KEPT_CONTROLS = frozenset("\n\t")


def plain(text: str) -> str:
    """Compose accents (NFC), use Unix line ends and drop control characters, so a name typed
    on any phone shows the same in every format."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        c
        for c in text.replace("\t", "    ")
        if c in KEPT_CONTROLS or unicodedata.category(c) not in ("Cc", "Cs")
    )


def labelled(label: str, value: str) -> list[str]:
    """'Label: value', or the label alone and the value's lines indented under it."""
    label, value = plain(label), plain(value)
    if "\n" not in value:
        return [f"{label}: {value}"]
    return [f"{label}:", *(f"{INDENT}{line}" if line else "" for line in value.split("\n"))]


def underlined(text: str, mark: str) -> list[str]:
    """A heading and a rule as long as it."""
    text = plain(text)
    return [text, mark * len(text)]


def addendum_lines(a: AddendumView) -> list[str]:
    """One addendum: when and by whom, why, then what it says."""
    return [
        f"Addendum · {plain(a.when)} · {plain(a.author)}",
        *labelled("Reason", a.reason),
        *plain(a.text).split("\n"),
    ]


def note_lines(note: NoteView) -> list[str]:
    """One note: heading and facts, every section in template order, then its addenda."""
    out = [*underlined(note.heading, "-")]
    for label, value in note.facts:
        out += labelled(label, value)
    if note.consent_declined:
        out += ["", CONSENT_DECLINED]
    for section in note.sections:
        out += ["", plain(section.title).upper()]
        if section.note:
            out.append(plain(section.note))
            continue
        for label, value in section.lines:
            out += labelled(label, value)
        if not section.lines:
            out.append("—")
    if note.addenda:
        out += ["", "ADDENDA"]
        for i, a in enumerate(note.addenda):
            out += ([""] if i else []) + addendum_lines(a)
    return out


def to_txt(doc: RecordDocument) -> bytes:
    """The whole document as UTF-8 text, one note after another."""
    lines = [*underlined(doc.title, "="), CONFIDENTIAL, ""]
    for label, value in doc.facts:
        lines += labelled(label, value)
    for note in doc.notes:
        lines += ["", "", *note_lines(note)]
    return ("\n".join(lines) + "\n").encode("utf-8")
