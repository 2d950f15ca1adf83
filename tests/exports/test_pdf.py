"""The PDF: A4 pages with header and page numbers, Unicode names, long text kept on the page."""

from __future__ import annotations

import re
from io import BytesIO

import pypdfium2 as pdfium
from pypdf import PdfReader

from bot.exports.pdf import MARGIN, to_pdf
from tests.exports.samples import addendum, document, full_answers, note, sample

A4 = (595.28, 841.89)  # points
POINTS_PER_MM = 72 / 25.4
UNBROKEN = "".join(chr(ord("a") + i % 26) for i in range(5000))
WORDY = ("Ąžuolas said the week had been long and tiring. " * 110)[:5000]


def test_every_page_is_a4_with_the_confidential_line_and_its_number() -> None:
    reader = PdfReader(BytesIO(to_pdf(sample())))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, 1):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == A4
        text = page.extract_text()
        assert text.startswith("Confidential: case notes")
        assert f"Page {number} of {pages}" in text


def test_non_latin_names_can_be_copied_back_out() -> None:
    text = PdfReader(BytesIO(to_pdf(sample()))).pages[0].extract_text()
    assert "Case notes: Zoë Nguyễn" in text
    assert "Participant: Zoë Nguyễn, age 29, she/they" in text
    assert "Grünwald" in text


def test_decomposed_accents_print_as_one_letter() -> None:
    answers = full_answers(location="Nguye\u0302\u0303n house")  # as some keyboards send it
    text = PdfReader(BytesIO(to_pdf(document((note(answers), []))))).pages[0].extract_text()
    assert "Nguyễn house" in text


def _chars_right_edge(content: bytes) -> tuple[int, float, float]:
    """How many characters the pages hold, the right edge of the rightmost, the page width."""
    pdf = pdfium.PdfDocument(content)
    count, right = 0, 0.0
    for page in pdf:
        text = page.get_textpage()
        for i in range(text.count_chars()):
            right = max(right, text.get_charbox(i)[2])
        count += text.count_chars()
    return count, right, pdf[0].get_width()


def test_five_thousand_characters_without_a_space_wrap_inside_the_margins() -> None:
    for long in (UNBROKEN, WORDY):
        content = to_pdf(document((note(full_answers(summary=long)), [addendum()])))
        reader = PdfReader(BytesIO(content))
        pages = ["".join(p.extract_text().split()) for p in reader.pages]
        # What a page break puts inside the text: the footer, then the next page's header.
        text = re.sub(r"Page\d+of\d+Confidential:casenotes", "", "".join(pages))
        assert "".join(long.split()) in text
        count, right, width = _chars_right_edge(content)
        assert count > 5000
        assert right <= width - MARGIN * POINTS_PER_MM + 1
