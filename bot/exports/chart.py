"""A participant's progress as a phone-sized PNG: wellbeing and actions over sessions.

Built with matplotlib's object API (Figure + Agg canvas), never pyplot: no global figure state,
so charts may be drawn from worker threads, and the image only ever lives in memory.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from conversations.template import get_template
from storage.records import NoteRecord

#: 7.2 x 9 inches at 150 dpi: 1080 x 1350 px, a phone screen's width in portrait.
SIZE_INCHES = (7.2, 9.0)
DPI = 150
MAX_DATE_LABELS = 6
MIN_SLOTS = 3
#: Up to this many sessions, each rating is written above its marker.
MAX_VALUE_LABELS = 12
AGREED_COLOUR = "#9ecae1"
DONE_COLOUR = "#08519c"
LINE_COLOUR = "#2b8a3e"
FONT_FILE = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@dataclass(frozen=True)
class ProgressPoint:
    """One session on the chart."""

    day: date
    wellbeing: int | None
    agreed: int
    done: int


def _moment(note: NoteRecord) -> datetime:
    return note.session_start or note.completed_at or note.created_at


def _wellbeing(note: NoteRecord) -> int | None:
    if note.content.get("consent_declined"):
        return None
    try:
        template = get_template(note.template_id, note.template_version)
    except LookupError:
        return None
    rating = next((f for f in template.fields if f.type == "rating"), None)
    if rating is None:
        return None
    value: Any = note.content.get("answers", {}).get(rating.key)
    # bool is an int too; a True must not plot as a 1.
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10:
        return value
    return None


def progress_points(notes: Sequence[NoteRecord], tz: str) -> list[ProgressPoint]:
    """Reduce notes to chart points, oldest session first, dated in the worker's timezone."""
    zone = ZoneInfo(tz)
    return [
        ProgressPoint(
            day=_moment(note).astimezone(zone).date(),
            wellbeing=_wellbeing(note),
            agreed=len(note.actions),
            done=sum(1 for a in note.actions if a.done),
        )
        for note in sorted(notes, key=_moment)
    ]


@cache
def _covered() -> frozenset[int]:
    return frozenset(FT2Font(str(FONT_FILE)).get_charmap())


def _printable(text: str) -> str:
    """Swap letters the font lacks for '?': matplotlib would warn, and name them in the log."""
    covered = _covered()
    text = unicodedata.normalize("NFC", text)
    return "".join(c if ord(c) in covered or c == "\n" else "?" for c in text)


def _font(size: float, bold: bool = False) -> FontProperties:
    return FontProperties(fname=FONT_FILE, size=size, weight="bold" if bold else "normal")


def date_ticks(days: Sequence[date]) -> tuple[list[int], list[str]]:
    """Pick at most MAX_DATE_LABELS evenly spread sessions to label ('3 Nov', year on change)."""
    if not days:
        return [], []
    count = min(len(days), MAX_DATE_LABELS)
    last = len(days) - 1
    spots = sorted({round(i * last / (count - 1)) for i in range(count)} if count > 1 else {0})
    labels: list[str] = []
    year = None
    for spot in spots:
        day = days[spot]
        label = f"{day.day} {day:%b}"
        if day.year != year:
            label += f"\n{day.year}"
            year = day.year
        labels.append(label)
    return spots, labels


def _frame(ax: Axes, title: str, count: int, ticks: tuple[list[int], list[str]]) -> None:
    ax.set_title(title, fontproperties=_font(17, bold=True), loc="left", pad=12)
    # At least three slots wide, so one or two sessions do not draw as slabs.
    pad = max(0.6, (MIN_SLOTS - count + 1) / 2)
    ax.set_xlim(-pad, count - 1 + pad)
    ax.set_xticks(ticks[0], ticks[1])
    ax.tick_params(labelsize=14, length=6)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _note(ax: Axes, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="#555555",
        fontproperties=_font(16),
    )


def _wellbeing_panel(ax: Axes, points: Sequence[ProgressPoint]) -> None:
    xs = range(len(points))
    # NaN breaks the line, so a session without a rating shows as a gap.
    ys = [float("nan") if p.wellbeing is None else p.wellbeing for p in points]
    ax.set_ylim(0, 11)  # headroom for a 10's marker and its label
    ax.set_yticks(range(0, 11, 2))
    if all(p.wellbeing is None for p in points):
        _note(ax, "no wellbeing ratings recorded")
        return
    size = 10 if len(points) <= 20 else 6
    ax.plot(xs, ys, color=LINE_COLOUR, linewidth=3, marker="o", markersize=size)
    if len(points) > MAX_VALUE_LABELS:
        return
    for x, p in zip(xs, points, strict=True):
        if p.wellbeing is not None:
            ax.annotate(
                str(p.wellbeing),
                (x, p.wellbeing),
                xytext=(0, 10),
                textcoords="offset points",
                ha="center",
                fontproperties=_font(14),
            )


def _actions_panel(ax: Axes, points: Sequence[ProgressPoint]) -> None:
    xs = range(len(points))
    width = 0.4
    ax.bar([x - width / 2 for x in xs], [p.agreed for p in points], width, color=AGREED_COLOUR)
    ax.bar([x + width / 2 for x in xs], [p.done for p in points], width, color=DONE_COLOUR)
    top = max((p.agreed for p in points), default=0)
    ax.set_ylim(0, max(top, 1) * 1.35)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if top == 0:
        _note(ax, "no actions agreed")
        return
    ax.legend(["Agreed", "Done"], prop=_font(14), loc="upper right", ncol=2, frameon=False)


def progress_png(points: Sequence[ProgressPoint], title: str) -> bytes:
    """Draw wellbeing (top) and actions agreed vs done (bottom) per session as PNG bytes."""
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    heading = textwrap.fill(_printable(title), width=32)
    fig.suptitle(heading, fontproperties=_font(20, bold=True), parse_math=False)
    top, bottom = fig.subplots(2, 1, sharex=True)
    ticks = date_ticks([p.day for p in points])
    _frame(top, "Self-rated wellbeing (1-10)", len(points), ticks)
    _frame(bottom, "Actions agreed and done", len(points), ticks)
    top.tick_params(labelbottom=True)
    _wellbeing_panel(top, points)
    _actions_panel(bottom, points)
    out = BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    fig.clear()
    return out.getvalue()
