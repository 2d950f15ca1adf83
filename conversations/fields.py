"""One parser per field type: text in, a JSON-friendly value out, or a friendly reason why not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

MAX_DURATION_MINUTES = 8 * 60
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Invalid(Exception):
    """The answer cannot be used; the message is shown to the worker as it is."""


@dataclass(frozen=True)
class Clock:
    """The worker's 'now', timezone and date order, which every date and time is read in."""

    now: datetime
    timezone: str = "Europe/London"
    date_order: str = "DMY"

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.timezone))

    @property
    def today(self) -> date:
        return self.local_now.date()


def parse_text(text: str, max_length: int, required: bool = True) -> str:
    """Trim and check length; refuse over-long text with its length rather than cutting it."""
    value = text.strip()
    if not value and required:
        raise Invalid("Please type something, or go back.")
    if len(value) > max_length:
        raise Invalid(
            f"That is {len(value):,} characters; the limit here is {max_length:,}. "
            "Please shorten it and send it again."
        )
    return value


def strip_invisible(text: str) -> str:
    """Drop invisible format characters (zero-width spaces, joiners, BOMs, bidi marks)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def parse_integer(text: str, minimum: int | None, maximum: int | None) -> int:
    """Read a whole number and check it is within the field's range."""
    match = re.fullmatch(r"\s*(-?\d{1,6})\s*", text)
    if not match:
        raise Invalid("Please send a whole number, like 34.")
    value = int(match.group(1))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise Invalid(f"Please send a number from {minimum} to {maximum}.")
    return value


_WORD_DATES = {"today": 0, "yesterday": -1, "tomorrow": 1}


def _numeric_date(text: str, clock: Clock, when: str) -> date | None:
    m = re.fullmatch(r"(\d{1,4})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?", text)
    if not m:
        return None
    a, b, c = m.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c or 0)
    else:
        day, month = (int(a), int(b)) if clock.date_order == "DMY" else (int(b), int(a))
        year = int(c) if c else clock.today.year
        if c and len(c) == 2:
            year += 2000
    try:
        value = date(year, month, day)
    except ValueError:
        order = "day/month" if clock.date_order == "DMY" else "month/day"
        raise Invalid(f"There is no such date. Dates here are {order}, like 21/11.") from None
    if not c:
        if when == "past" and value > clock.today:
            value = value.replace(year=value.year - 1)
        elif when == "future" and value < clock.today:
            value = value.replace(year=value.year + 1)
    return value


def _weekday_date(text: str, clock: Clock, when: str) -> date | None:
    m = re.fullmatch(r"(last|next|this)?\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*", text)
    if not m:
        return None
    which, day = m.group(1), [w[:3] for w in WEEKDAYS].index(m.group(2))
    today = clock.today
    if which == "next" or (which is None and when == "future"):
        return today + timedelta(days=(day - today.weekday() - 1) % 7 + 1)
    back = (today.weekday() - day) % 7
    if which == "last" and back == 0:
        back = 7
    return today - timedelta(days=back)


def parse_date(text: str, clock: Clock, when: str = "past") -> tuple[date, time | None]:
    """Read 'today', 'yesterday 3pm', '21/11', 'last Tuesday', '3 Dec' in the worker's zone.

    Returns the date and a time if one was given with it. ``when`` is past, future or any.
    """
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise Invalid("Please send a date, like 'today' or 21/11.")
    found_time: time | None = None
    m = re.fullmatch(r"(.+?)\s+(?:at\s+)?(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2})", raw)
    if m:
        raw, found_time = m.group(1), parse_time(m.group(2))
    value: date | None
    if raw in _WORD_DATES:
        value = clock.today + timedelta(days=_WORD_DATES[raw])
    else:
        value = _numeric_date(raw, clock, when) or _weekday_date(raw, clock, when)
    if value is None:
        parsed = dateparser.parse(
            raw,
            languages=["en"],
            settings={
                "RELATIVE_BASE": clock.local_now.replace(tzinfo=None),
                "PREFER_DATES_FROM": "future" if when == "future" else "past",
                "DATE_ORDER": clock.date_order,
                "REQUIRE_PARTS": ["day"],
            },
        )
        if parsed is None:
            example = "21/11" if clock.date_order == "DMY" else "11/21"
            raise Invalid(
                "I couldn't read that date. "
                f"Try 'today', 'yesterday', {example} or 'last Tuesday'."
            )
        value = parsed.date()
    if when == "past" and value > clock.today:
        raise Invalid("That date is in the future. Notes are for sessions that have happened.")
    if when == "future" and value < clock.today:
        raise Invalid("That date has already passed. Please give a date from today on.")
    if abs((value - clock.today).days) > 366 * 2:
        raise Invalid("That date is more than two years away; please check it.")
    return value, found_time


def parse_time(text: str, clock: Clock | None = None) -> time:
    """Read '2:30pm', '14:30', '1430', '3pm', 'noon' or 'now'."""
    raw = text.strip().lower().replace(" ", "")
    if raw in ("noon", "midday"):
        return time(12, 0)
    if raw == "now" and clock is not None:
        local = clock.local_now
        return time(local.hour, local.minute)
    m = re.fullmatch(r"(\d{1,2})(?:[:.h]?(\d{2}))?(am|pm|a|p)?", raw)
    if not m:
        raise Invalid("I couldn't read that time. Try 2:30pm, 14:30 or 3pm.")
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise Invalid("With am/pm the hour should be 1 to 12, like 2:30pm.")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    elif m.group(2) is None and len(m.group(1)) <= 2 and hour < 7:
        raise Invalid(
            f"Did you mean {hour}am or {hour}pm? Please add am or pm, or use 24-hour time."
        )
    if hour > 23 or minute > 59:
        raise Invalid("That isn't a time of day. Try 2:30pm or 14:30.")
    return time(hour, minute)


_DURATION_PATTERNS = [
    (r"(\d{1,3})\s*(?:m|min|mins|minute|minutes)?", lambda h, m: int(h)),
    (r"(\d{1,2}):(\d{2})", lambda h, m: int(h) * 60 + int(m)),
    (
        r"(\d{1,2})\s*(?:h|hr|hrs|hour|hours)\s*(?:and\s*)?(?:(\d{1,2})\s*(?:m|min|mins|minutes?)?)?",
        lambda h, m: int(h) * 60 + int(m or 0),
    ),
    (r"(\d{1,2}(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours)", lambda h, m: round(float(h) * 60)),
]


def parse_duration(text: str) -> int:
    """Read '45', '45m', '1h15', '1:15', '1.5h' or '90 minutes' as whole minutes (max 8 hours)."""
    raw = " ".join(text.strip().lower().split())
    raw = re.sub(r"^an?\s+(hour|hr)", r"1 \1", raw)
    for pattern, to_minutes in _DURATION_PATTERNS:
        m = re.fullmatch(pattern, raw)
        if m:
            groups = m.groups() + (None,) * (2 - len(m.groups()))
            minutes = to_minutes(groups[0], groups[1])
            break
    else:
        raise Invalid("I couldn't read that duration. Try 45, 45m, 1h15 or 1:15.")
    if minutes <= 0:
        raise Invalid("A session needs to last at least a minute.")
    if minutes > MAX_DURATION_MINUTES:
        raise Invalid(
            f"That is {format_duration(minutes)}; sessions over 8 hours can't be recorded. "
            "Please check it."
        )
    return minutes


def format_duration(minutes: int) -> str:
    """Show minutes the way a worker would say them: '45 min', '1h 15min'."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}min" if rest else f"{hours}h"
