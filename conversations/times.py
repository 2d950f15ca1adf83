"""Times of day as workers type them: '2:30pm', '14:30', 'half 2', 'an hour ago'."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from conversations.fields import Ambiguous, Clock, Invalid
from conversations.phrases import minutes_in, numerals, plain


def time_ago(text: str, clock: Clock) -> datetime | None:
    """Read 'an hour ago', '20 mins ago' or 'just now' as a moment in the worker's zone."""
    raw = plain(text)
    if raw in ("now", "just now", "right now"):
        return clock.local_now
    m = re.fullmatch(r"(.+?) ago", raw)
    minutes = minutes_in(m.group(1)) if m else None
    if minutes is None:
        return None
    return clock.local_now - timedelta(minutes=minutes)


_PERIOD = re.compile(
    r"(.+?) ?(am|a\.m\.|a|pm|p\.m\.|p|in the morning|in the afternoon|in the evening)"
)
_SPOKEN = re.compile(r"(half|quarter|\d{1,2})(?: (?:minutes? )?(past|after|to|before))? (\d{1,2})")


def _with_period(hour: int, period: str | None) -> int:
    if period is None:
        return hour
    if not 1 <= hour <= 12:
        raise Invalid("With am/pm the hour should be 1 to 12, like 2:30pm.")
    return hour % 12 + (0 if period.startswith(("a", "in the m")) else 12)


def _spoken_time(raw: str, period: str | None) -> time | None:
    """'half 2', 'quarter to 4', '20 past 3': in the daytime (07:00-18:59) unless told."""
    m = _SPOKEN.fullmatch(raw)
    if not m or (m.group(2) is None and m.group(1) != "half"):
        return None
    minutes = {"half": 30, "quarter": 15}.get(m.group(1)) or int(m.group(1))
    hour = int(m.group(3))
    if not 1 <= hour <= 12 or not 1 <= minutes <= 30:
        return None
    hour = _with_period(hour, period) if period else hour + (12 if hour < 7 else 0)
    at = datetime(2000, 1, 2, hour % 24) + timedelta(
        minutes=-minutes if m.group(2) in ("to", "before") else minutes
    )
    return at.time()


def parse_time(text: str, clock: Clock | None = None) -> time:
    """Read '2:30pm', '14:30', '1430', '3pm', 'half 2', 'noon', 'now' or 'an hour ago'.

    A time that could be in the small hours or the afternoon ('2.30', '3') raises Ambiguous.
    """
    raw = numerals(plain(text)).removesuffix(" o'clock").removesuffix(" oclock")
    if raw in ("noon", "midday"):
        return time(12, 0)
    if raw == "midnight":
        return time(0, 0)
    moment = time_ago(raw, clock) if clock is not None else None
    if moment is not None:
        return time(moment.hour, moment.minute)
    m = _PERIOD.fullmatch(raw)
    period = m.group(2) if m else None
    spoken = _spoken_time(m.group(1) if m else raw, period)
    if spoken is not None:
        return spoken
    m = re.fullmatch(r"(\d{1,2})(?:[:.h]?(\d{2}))?", (m.group(1) if m else raw).replace(" ", ""))
    if not m:
        raise Invalid("I couldn't read that time. Try 2:30pm, 14:30 or half 2.")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if period:
        hour = _with_period(hour, period)
    elif len(m.group(1)) == 1 and 1 <= hour < 7:
        _ask_morning_or_afternoon(hour, minute, m.group(2) is None)
    if hour > 23 or minute > 59:
        raise Invalid("That isn't a time of day. Try 2:30pm or 14:30.")
    return time(hour, minute)


def _ask_morning_or_afternoon(hour: int, minute: int, bare: bool) -> None:
    if bare:
        raise Ambiguous(
            f"Did you mean {hour}am or {hour}pm?",
            ((f"{hour}am", f"{hour}am"), (f"{hour}pm", f"{hour}pm")),
            "Please add am or pm, or use 24-hour time.",
        )
    early, late = f"{hour:02d}:{minute:02d}", f"{hour + 12}:{minute:02d}"
    raise Ambiguous(
        f"Did you mean {hour}:{minute:02d} in the morning or {late}?",
        ((early, f"{hour}:{minute:02d} in the morning"), (late, late)),
    )
