"""Field parsers, table-driven, on a fixed clock in two timezones and both date orders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from conversations.dates import parse_date
from conversations.fields import (
    Clock,
    Invalid,
    format_duration,
    parse_duration,
    parse_integer,
    parse_text,
    strip_invisible,
)
from conversations.times import parse_time

# Monday 23 Nov 2026, 01:30 UTC: still Sunday 22 Nov in Los Angeles.
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
LONDON = Clock(NOW, "Europe/London", "DMY")
LA = Clock(NOW, "America/Los_Angeles", "MDY")


@pytest.mark.parametrize(
    ("text", "clock", "expected", "hint"),
    [
        ("today", LONDON, date(2026, 11, 23), None),
        ("today", LA, date(2026, 11, 22), None),
        ("Yesterday", LONDON, date(2026, 11, 22), None),
        ("yesterday 3pm", LONDON, date(2026, 11, 22), time(15, 0)),
        ("yesterday at 2:30pm", LA, date(2026, 11, 21), time(14, 30)),
        ("21/11", LONDON, date(2026, 11, 21), None),
        ("11/21", LA, date(2026, 11, 21), None),
        ("3/11", LONDON, date(2026, 11, 3), None),
        ("3/11", LA, date(2026, 3, 11), None),
        ("21/11/2026", LONDON, date(2026, 11, 21), None),
        ("24/12", LONDON, date(2025, 12, 24), None),
        ("2026-11-01", LA, date(2026, 11, 1), None),
        ("last Tuesday", LONDON, date(2026, 11, 17), None),
        ("last monday", LONDON, date(2026, 11, 16), None),
        ("monday", LONDON, date(2026, 11, 23), None),
        ("friday", LA, date(2026, 11, 20), None),
        ("3 Nov", LONDON, date(2026, 11, 3), None),
        ("2 days ago", LONDON, date(2026, 11, 21), None),
    ],
)
def test_past_dates(text: str, clock: Clock, expected: date, hint: time | None) -> None:
    assert parse_date(text, clock) == (expected, hint)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 11, 24)),
        ("friday", date(2026, 11, 27)),
        ("next monday", date(2026, 11, 30)),
        ("1/12", date(2026, 12, 1)),
        ("20/11", date(2027, 11, 20)),
        ("in 1 week", date(2026, 11, 30)),
    ],
)
def test_future_dates(text: str, expected: date) -> None:
    assert parse_date(text, LONDON, "future")[0] == expected


@pytest.mark.parametrize(
    ("text", "clock", "when", "reason"),
    [
        ("tomorrow", LONDON, "past", "in the future"),
        ("25/11", LONDON, "past", None),  # no year: taken as last year, which is fine
        ("25/11/2026", LONDON, "past", "in the future"),
        ("yesterday", LONDON, "future", "already passed"),
        ("31/02", LONDON, "past", "no such date"),
        ("13/25", LA, "past", "month/day"),
        ("banana", LONDON, "past", "couldn't read that date"),
        ("", LONDON, "past", "send a date"),
        ("1/1/2020", LONDON, "past", "two years"),
    ],
)
def test_refused_dates(text: str, clock: Clock, when: str, reason: str | None) -> None:
    if reason is None:
        assert parse_date(text, clock, when)[0] == date(2025, 11, 25)
        return
    with pytest.raises(Invalid, match=reason):
        parse_date(text, clock, when)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2:30pm", time(14, 30)),
        ("2.30 pm", time(14, 30)),
        ("14:30", time(14, 30)),
        ("1430", time(14, 30)),
        ("3pm", time(15, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("noon", time(12, 0)),
        ("9", time(9, 0)),
        ("09:05", time(9, 5)),
    ],
)
def test_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


def test_now_uses_the_workers_zone() -> None:
    assert parse_time("now", LONDON) == time(1, 30)
    assert parse_time("now", LA) == time(17, 30)


@pytest.mark.parametrize("text", ["25:00", "13pm", "3", "soon", "14:75"])
def test_bad_times(text: str) -> None:
    with pytest.raises(Invalid):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45", 45),
        ("45m", 45),
        ("45 min", 45),
        ("45 minutes", 45),
        ("1h15", 75),
        ("1h 15m", 75),
        ("1:15", 75),
        ("1.5h", 90),
        ("2 hours", 120),
        ("an hour", 60),
        ("8h", 480),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "reason"),
    [("9h", "over 8 hours"), ("500", "over 8 hours"), ("0", "at least a minute"), ("ages", "45m")],
)
def test_bad_durations(text: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        parse_duration(text)


def test_integer_range_and_text_limit() -> None:
    assert parse_integer(" 34 ", 12, 120) == 34
    with pytest.raises(Invalid, match="12 to 120"):
        parse_integer("11", 12, 120)
    assert parse_integer("thirty", 12, 120) == 30  # number words are read (test_phrases.py)
    with pytest.raises(Invalid, match="whole number"):
        parse_integer("lots", 12, 120)
    with pytest.raises(Invalid, match="5,000 characters; the limit here is 1,500"):
        parse_text("x" * 5000, 1500)
    assert parse_text("  hi  ", 10) == "hi"


def test_format_duration() -> None:
    assert [format_duration(m) for m in (45, 60, 75)] == ["45 min", "1h", "1h 15min"]


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Alex", "Alex"),
        ("Al\u200bex", "Alex"),
        ("\ufeffSam", "Sam"),
        ("Jo\u200c\u200d", "Jo"),
        ("\u2066Noor\u2069", "Noor"),
        ("\u202eknip", "knip"),
        ("Ro\u00adbin", "Robin"),
        ("Zoë Ñ 李", "Zoë Ñ 李"),
        ("a\u00a0b", "a\u00a0b"),
    ],
)
def test_strip_invisible(text: str, clean: str) -> None:
    assert strip_invisible(text) == clean
