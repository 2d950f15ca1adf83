"""Dates and times as workers type them, read in the worker's own zone and date order."""

from __future__ import annotations

import calendar
import re
from datetime import date, time, timedelta

import dateparser

from conversations.fields import Ambiguous, Clock, Invalid
from conversations.phrases import numerals, plain
from conversations.times import parse_time

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_NAMES = {name: i for i, day in enumerate(WEEKDAYS) for name in (day, day[:3])}
_DAY_NAMES.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
_DAY = "|".join(sorted(_DAY_NAMES, key=len, reverse=True))
_BACK = {"last", "past", "this past", "gone", "just gone", "just passed", "that's just gone"}
_ON = {"next", "coming", "this coming"}
_WEEKDAY = re.compile(
    r"(?:on )?(?:the )?(last|next|this past|this coming|this|coming|past)? ?"
    rf"({_DAY})(?: (that's just gone|just gone|gone|just passed|past|last|coming|next))?"
)
_MONTH_END = re.compile(
    r"(?:by |at )?(?:the )?(?:end of (?:the )?(?:(this|next|last) )?month|"
    r"(?:(this|next|last) )?month(?:'s)? end)"
)
_WORD_DATES = {"today": 0, "yesterday": -1, "tomorrow": 1}
_EXAMPLES = {
    "past": ("yesterday", "Friday", (21, 11)),
    "future": ("tomorrow", "Friday", (5, 12)),
    "any": ("today", "Friday", (21, 11)),
}


def date_examples(when: str, date_order: str = "DMY") -> tuple[str, str, str]:
    """Three answers that suit a past, future or any-date field: ('tomorrow', 'Friday', '5/12')."""
    word, weekday, (day, month) = _EXAMPLES.get(when, _EXAMPLES["any"])
    return word, weekday, f"{day}/{month}" if date_order == "DMY" else f"{month}/{day}"


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


def _weekday_date(text: str, today: date, when: str) -> date | None:
    """'Friday', 'last Friday', 'Friday just gone' (before today), 'next Friday' (after it).

    A plain 'Friday' is the latest one up to today for a past field, the next one after today
    for a future field.
    """
    m = _WEEKDAY.fullmatch(text)
    if not m:
        return None
    which = m.group(3) or m.group(1) or "this"
    day = _DAY_NAMES[m.group(2)]
    if which in _BACK:
        return today - timedelta(days=(today.weekday() - day - 1) % 7 + 1)
    if which in _ON or when == "future":
        return today + timedelta(days=(day - today.weekday() - 1) % 7 + 1)
    return today - timedelta(days=(today.weekday() - day) % 7)


def _add_months(day: date, months: int) -> date:
    month0 = day.year * 12 + day.month - 1 + months
    year, month = divmod(month0, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(text: str, today: date, when: str) -> date | None:
    """The last day of this month, or of last month for a past field when this one isn't over."""
    m = _MONTH_END.fullmatch(text)
    if not m:
        return None
    which = m.group(1) or m.group(2)
    first = _add_months(today.replace(day=1), {"next": 1, "last": -1}.get(which or "", 0))
    end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if which is None and when == "past" and end > today:
        end = today.replace(day=1) - timedelta(days=1)
    return end


def _day_of_month(text: str, today: date, when: str) -> date | None:
    """'the 5th': this month's, or the nearest one on the right side of today."""
    m = re.fullmatch(r"(?:on )?(?:the )?(\d{1,2})(?:st|nd|rd|th)", text)
    if not m:
        return None
    step = {"future": 1, "past": -1}.get(when, 0)
    month = today.replace(day=1)
    for _ in range(3):
        if int(m.group(1)) <= calendar.monthrange(month.year, month.month)[1]:
            value = month.replace(day=int(m.group(1)))
            if step == 0 or (value - today).days * step >= 0:
                return value
        if step == 0:
            break
        month = _add_months(month, step)
    raise Invalid("There is no such date. Try a day and month, like 21/11.")


def _split_time(raw: str, clock: Clock) -> tuple[str, time | None]:
    """Take a time off the end: 'yesterday 3pm', 'Thursday at half 2'."""
    day, at = raw.rsplit(" at ", 1) if " at " in raw else (raw, "")
    m = re.fullmatch(r"(.+?)\s+(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2})", raw)
    if m and not at:
        day, at = m.groups()
    if not at:
        return raw, None
    try:
        return day, parse_time(at, clock)
    except Ambiguous as asked:  # offer replies that still answer the date question
        options = tuple((f"{day} at {reply}", label) for reply, label in asked.options)
        raise Ambiguous(asked.question, options, asked.advice) from None


def parse_date(text: str, clock: Clock, when: str = "past") -> tuple[date, time | None]:
    """Read 'today', 'yesterday 3pm', '21/11', 'Friday just gone', 'end of month', 'next month'.

    Returns the date and a time if one was given with it. ``when`` is past, future or any.
    """
    word, weekday, numeric = date_examples(when, clock.date_order)
    raw = numerals(plain(text))
    if not raw:
        raise Invalid(f"Please send a date, like {word} or {numeric}.")
    raw, found_time = _split_time(raw, clock)
    today = clock.today
    value: date | None
    if raw in _WORD_DATES:
        value = today + timedelta(days=_WORD_DATES[raw])
    else:
        value = (
            _numeric_date(raw, clock, when)
            or _weekday_date(raw, today, when)
            or _month_end(raw, today, when)
            or _day_of_month(raw, today, when)
        )
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
            raise Invalid(f"I couldn't read that date. Try {word}, {weekday} or {numeric}.")
        value = parsed.date()
    if when == "past" and value > today:
        raise Invalid("That date is in the future. Notes are for sessions that have happened.")
    if when == "future" and value < today:
        raise Invalid(
            f"That date has already passed. Please give a date from today on, like {word}."
        )
    if abs((value - today).days) > 366 * 2:
        raise Invalid("That date is more than two years away; please check it.")
    return value, found_time
