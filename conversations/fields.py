"""One parser per field type: text in, a JSON-friendly value out, or a friendly reason why not.

Amounts (numbers, ages, ratings, durations) are here; dates and times are in dates.py.
The phrases each parser takes, with their results: tests/conversations/test_phrases.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from conversations.phrases import age_band, minutes_in, numerals, plain, whole_number

MAX_DURATION_MINUTES = 8 * 60


class Invalid(Exception):
    """The answer cannot be used; the message is shown to the worker as it is."""


class Ambiguous(Invalid):
    """The answer reads two ways: ask which. Each option is (reply, label).

    A reply, sent back as the answer, reads one way only ('14:30'); the label is how to offer it
    ('2:30 in the morning'). Until the engine offers the options as buttons, the message (one
    line: the question and what to send) is shown as a refusal and nothing changes.
    """

    def __init__(
        self, question: str, options: tuple[tuple[str, str], ...], advice: str | None = None
    ) -> None:
        self.question = question
        self.options = options
        self.advice = advice
        replies = " or ".join(reply for reply, _ in options)
        super().__init__(f"{question} {advice or f'Please send {replies}.'}")


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


def _within(value: int, minimum: int | None, maximum: int | None, what: str = "a number") -> int:
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            raise Invalid(f"Please send {what} from {minimum} to {maximum}.")
        bound = f"at least {minimum}" if minimum is not None else f"at most {maximum}"
        raise Invalid(f"Please send {what} that is {bound}.")
    return value


def parse_integer(text: str, minimum: int | None, maximum: int | None) -> int:
    """Read a whole number ('34', 'thirty four', 'about 30') within the field's range."""
    value = whole_number(text)
    if value is None:
        raise Invalid("Please send a whole number, like 34.")
    return _within(value, minimum, maximum)


def parse_age(text: str, minimum: int | None, maximum: int | None) -> int | str:
    """Read an age ('34', 'twenty', 'about 30') as a number, or a band ('early 20s') as text."""
    band = age_band(text)
    if band is not None:
        label, low, high = band
        if (maximum is not None and low > maximum) or (minimum is not None and high < minimum):
            raise Invalid(f"Please send an age from {minimum} to {maximum}, or a band like 20s.")
        return label
    value = whole_number(text)
    if value is None:
        raise Invalid("Please send an age, like 34, or a band, like 20s or early 30s.")
    return _within(value, minimum, maximum, "an age")


def parse_scale(text: str, minimum: int | None, maximum: int | None) -> int:
    """Read a rating: '7', 'seven', '7/10' or '7 out of 10' (the 10 must be the scale's top)."""
    raw = numerals(plain(text))
    m = re.fullmatch(r"(\d{1,3}) ?(?:/|out of|of) ?(\d{1,3})", raw)
    if m:
        if maximum is not None and int(m.group(2)) != maximum:
            raise Invalid(f"This scale runs from {minimum} to {maximum}; please send one number.")
        raw = m.group(1)
    value = whole_number(raw)
    if value is None:
        raise Invalid(f"Please send a number from {minimum} to {maximum}.")
    return _within(value, minimum, maximum)


def parse_duration(text: str) -> int:
    """Read '45', '1h15', '1:15', 'half an hour', 'an hour and a half', '1 1/2 hours'."""
    minutes = minutes_in(text)
    if minutes is None:
        raise Invalid("I couldn't read that duration. Try 45m, 1h15 or an hour and a half.")
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
