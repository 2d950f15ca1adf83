"""A record as an A4 PDF, built in memory with fpdf2 and DejaVu Sans from matplotlib's fonts.

DejaVu Sans covers Latin, Greek and Cyrillic, so 'Zoë', 'Nguyễn' and 'Ąžuolas' print and can
be copied back out. A character it has no glyph for becomes '?' before fpdf2 sees it: fpdf2
would otherwise log the missing characters, and log lines must never carry what a worker typed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.exports.document import CONSENT_DECLINED, NoteView, RecordDocument
from bot.exports.text import CONFIDENTIAL, plain

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
MISSING = "?"
MARGIN = 20.0  # mm, left and right
TOP = 18.0
BOTTOM = 20.0
LINE = 5.2  # mm per line of 10 pt text
INDENT = 6.0
GREY = 100
RULE_GREY = 190
BAND_GREY = 235


@cache
def covered() -> frozenset[int]:
    """Code points both DejaVu faces can draw (read once per process)."""
    sets = []
    for path in FONT_FILES.values():
        with TTFont(path, lazy=True) as font:
            sets.append(frozenset(font.getBestCmap()))
    return frozenset.intersection(*sets) | {ord("\n")}


def printable(text: str) -> str:
    """The text as the fonts can draw it: plain, with '?' for what no face covers."""
    have = covered()
    return "".join(c if ord(c) in have else MISSING for c in plain(text))


class _Pdf(FPDF):
    """A4 pages with the confidentiality line on top and 'Page n of m' at the bottom."""

    def header(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(GREY)
        self.cell(0, 5, CONFIDENTIAL, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(RULE_GREY)
        self.line(self.l_margin, self.y + 1, self.w - self.r_margin, self.y + 1)
        self.set_text_color(0)
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-BOTTOM + 5)
        self.set_font(FONT, "", 8)
        self.set_text_color(GREY)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)

    def keep_room(self, lines: int) -> None:
        """Start a new page rather than leave a heading alone at the bottom of this one."""
        if self.will_page_break(lines * LINE):
            self.add_page()

    def block(self, text: str, size: float = 10, style: str = "", height: float = LINE) -> None:
        """A paragraph across the page."""
        self.set_font(FONT, style, size)
        self.multi_cell(0, height, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def labelled(self, label: str, value: str, size: float = 10, grey: bool = False) -> None:
        """Bold 'Label:' then the value; a value of several lines goes indented below."""
        self.set_text_color(GREY if grey else 0)
        self.set_font(FONT, "B", size)
        value = printable(value)
        self.write(LINE, printable(label) + (":\n" if "\n" in value else ": "))
        self.set_font(FONT, "", size)
        if "\n" in value:
            self.set_left_margin(MARGIN + INDENT)
            self.set_x(self.l_margin)
        self.write(LINE, value)
        self.set_left_margin(MARGIN)
        self.ln(LINE)
        self.set_text_color(0)

    def note(self, note: NoteView) -> None:
        """One note: a shaded heading, its facts, every section, then its addenda."""
        self.keep_room(6)
        self.set_fill_color(BAND_GREY)
        self.set_font(FONT, "B", 13)
        self.multi_cell(
            0, 8, printable(note.heading), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.ln(1)
        for label, value in note.facts:
            self.labelled(label, value, size=9, grey=True)
        if note.consent_declined:
            self.ln(2)
            self.block(CONSENT_DECLINED, style="B")
        for section in note.sections:
            self.ln(3)
            self.keep_room(3)
            self.block(section.title, size=11, style="B", height=6)
            if section.note:
                self.set_text_color(GREY)
                self.block(section.note)
                self.set_text_color(0)
            for label, value in section.lines:
                self.labelled(label, value)
            if not section.note and not section.lines:
                self.block("—")
        if note.addenda:
            self.ln(3)
            self.keep_room(4)
            self.block("Addenda", size=11, style="B", height=6)
        for a in note.addenda:
            self.ln(1)
            self.keep_room(3)
            self.block(f"Addendum · {a.when} · {a.author}", style="B")
            self.labelled("Reason", a.reason)
            self.block(a.text)


def to_pdf(doc: RecordDocument) -> bytes:
    """The whole document as PDF bytes; nothing is written to disk."""
    pdf = _Pdf(format="A4")
    for style, path in FONT_FILES.items():
        pdf.add_font(FONT, style, path)
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    # Metadata shows in file previews and lists: keep names out of it.
    pdf.set_title("Case notes")
    pdf.set_creator("casenotes")
    pdf.add_page()
    pdf.block(doc.title, size=16, style="B", height=8)
    pdf.ln(2)
    for label, value in doc.facts:
        pdf.labelled(label, value)
    for note in doc.notes:
        pdf.ln(8)
        pdf.note(note)
    return bytes(pdf.output())
