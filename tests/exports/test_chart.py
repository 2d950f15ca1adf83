"""The progress chart: points read from real notes and the shipped template, and a phone PNG."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.exports.chart import (
    DONE_COLOUR,
    LINE_COLOUR,
    MAX_DATE_LABELS,
    ProgressPoint,
    date_ticks,
    progress_png,
    progress_points,
)
from conversations.template import get_template
from storage.records import ActionRecord, NoteRecord

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VERSION = get_template("peer_support").version
T0 = datetime(2025, 11, 3, 23, 30, tzinfo=UTC)


def _note(
    n: int,
    *,
    start: datetime | None = T0,
    answers: dict[str, Any] | None = None,
    done: tuple[bool, ...] = (),
    declined: bool = False,
    template_id: str = "peer_support",
    completed: datetime | None = None,
) -> NoteRecord:
    content: dict[str, Any] = {"answers": answers or {}}
    if declined:
        content["consent_declined"] = True
    actions = tuple(
        ActionRecord(f"a{n}-{i}", f"n{n}", "call the GP", "participant", None, flag)
        for i, flag in enumerate(done)
    )
    return NoteRecord(
        id=f"n{n}",
        participant_id="p1",
        worker_id=1,
        session_start=start,
        duration_minutes=50,
        template_id=template_id,
        template_version=VERSION,
        content=content,
        status="complete",
        created_at=T0 + timedelta(days=40 + n),
        completed_at=completed,
        late=False,
        actions=actions,
    )


def _points(count: int, *, rated: bool = True) -> list[ProgressPoint]:
    first = date(2025, 6, 2)
    return [
        ProgressPoint(
            day=first + timedelta(days=7 * i),
            wellbeing=(i % 10) + 1 if rated and i % 4 else None,
            agreed=i % 4,
            done=i % 3 if i % 3 <= i % 4 else 0,
        )
        for i in range(count)
    ]


def _pixels(png: bytes) -> set[Any]:
    image = Image.open(BytesIO(png)).convert("RGB")
    return {rgb for _, rgb in image.getcolors(maxcolors=1 << 20) or []}


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_points_follow_session_order_with_the_day_in_the_workers_timezone() -> None:
    later = _note(1, start=T0 + timedelta(days=14), answers={"wellbeing": 6})
    no_start = _note(2, start=None, completed=T0 + timedelta(days=7), answers={"wellbeing": 4})
    first = _note(3, answers={"wellbeing": 3}, done=(True, False, True))
    only_created = _note(4, start=None)  # created 44 days after T0

    sydney = progress_points([later, no_start, only_created, first], "Australia/Sydney")
    london = progress_points([first], "Europe/London")

    assert [p.day for p in sydney] == [
        date(2025, 11, 4),  # 23:30 UTC is the next morning in Sydney
        date(2025, 11, 11),
        date(2025, 11, 18),
        date(2025, 12, 18),
    ]
    assert [p.wellbeing for p in sydney] == [3, 4, 6, None]
    assert (sydney[0].agreed, sydney[0].done) == (3, 2)
    assert london[0].day == date(2025, 11, 3)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(7, 7), (1, 1), (10, 10), (0, None), (11, None), ("7", None), (True, None), (7.5, None)],
)
def test_wellbeing_is_a_whole_rating_from_1_to_10(answer: Any, expected: int | None) -> None:
    [point] = progress_points([_note(1, answers={"wellbeing": answer})], "UTC")
    assert point.wellbeing == expected


def test_declined_consent_and_unknown_templates_have_no_wellbeing() -> None:
    declined = _note(1, answers={"wellbeing": 8}, declined=True, done=(False,))
    unknown = _note(2, answers={"wellbeing": 8}, template_id="retired_form")
    points = progress_points([declined, unknown], "UTC")
    assert [p.wellbeing for p in points] == [None, None]
    assert [(p.agreed, p.done) for p in points] == [(1, 0), (0, 0)]


def test_sixty_sessions_get_a_few_short_date_labels_with_the_year_where_it_changes() -> None:
    days = [date(2025, 9, 1) + timedelta(days=7 * i) for i in range(60)]
    spots, labels = date_ticks(days)
    assert len(spots) == MAX_DATE_LABELS
    assert spots[0] == 0 and spots[-1] == 59
    assert labels[0] == "1 Sep\n2025"
    assert labels[-1] == "19 Oct"  # 2026 was already named on an earlier label
    assert sum("\n2026" in label for label in labels) == 1
    assert date_ticks([date(2025, 11, 3)]) == ([0], ["3 Nov\n2025"])
    assert date_ticks([]) == ([], [])


@pytest.mark.parametrize(
    ("count", "rated"), [(1, True), (5, False), (60, True), (0, True)], ids=str
)
def test_png_is_phone_sized_and_never_touches_disk(
    count: int, rated: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    points = _points(count, rated=rated)
    if count == 1:
        points = [ProgressPoint(date(2025, 11, 3), 6, 2, 1)]

    png = progress_png(points, "Progress: Zoë Nguyễn")

    assert png.startswith(PNG_SIGNATURE)
    with Image.open(BytesIO(png)) as image:
        image.verify()
    width, height = Image.open(BytesIO(png)).size
    assert 720 <= width <= 1440
    assert height >= width
    line_drawn = _rgb(LINE_COLOUR) in _pixels(png)
    assert line_drawn == any(p.wellbeing is not None for p in points)
    assert os.listdir(tmp_path) == []


def test_no_actions_draws_no_done_bars() -> None:
    none = [ProgressPoint(date(2025, 11, 3) + timedelta(days=i), 5, 0, 0) for i in range(3)]
    some = [ProgressPoint(date(2025, 11, 3) + timedelta(days=i), 5, 2, 1) for i in range(3)]
    assert _rgb(DONE_COLOUR) not in _pixels(progress_png(none, "Progress: Sam"))
    assert _rgb(DONE_COLOUR) in _pixels(progress_png(some, "Progress: Sam"))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", ["山田 太郎", "$\\nosuchcommand {$", "Zoë Nguyễn", "Ана 😊"])
def test_any_name_renders_without_warnings(name: str) -> None:
    """A missing glyph would be named in a warning (and a log); '$' would start mathtext."""
    png = progress_png(_points(3), f"Progress: {name}")
    assert png.startswith(PNG_SIGNATURE)
