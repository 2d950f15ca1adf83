"""Pick an export format by name: the file name, bytes and MIME type to send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.exports.document import FORMATS, RecordDocument
from bot.exports.pdf import to_pdf
from bot.exports.text import to_txt
from bot.exports.word import to_docx

_BUILDERS: dict[str, tuple[Callable[[RecordDocument], bytes], str]] = {
    "pdf": (to_pdf, "application/pdf"),
    "docx": (
        to_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "txt": (to_txt, "text/plain"),
}


@dataclass(frozen=True)
class ExportFile:
    """A finished export, held in memory only."""

    filename: str
    content: bytes
    mime: str

    def __repr__(self) -> str:
        # The content is case notes: keep it out of tracebacks and debug output.
        return f"ExportFile({self.filename!r}, {len(self.content)} bytes, {self.mime!r})"


def export(doc: RecordDocument, fmt: str) -> ExportFile:
    """Build ``doc`` in the format named ``fmt`` ('pdf', 'docx' or 'txt')."""
    if fmt not in _BUILDERS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    build, mime = _BUILDERS[fmt]
    return ExportFile(f"{doc.stem}.{fmt}", build(doc), mime)
