"""Turn typed text, or a quick button, into the value a field stores."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from conversations.context import STALE, Ctx
from conversations.dates import date_examples, parse_date
from conversations.fields import (
    Clock,
    Invalid,
    parse_age,
    parse_duration,
    parse_integer,
    parse_scale,
    parse_text,
)
from conversations.template import Choice, Field, Template
from conversations.times import parse_time, time_ago

YES = {"yes", "y", "yeah", "yep"}
NO = {"no", "n", "nope"}
QUICK_DURATIONS = (30, 45, 60, 90)
# A date typed with a time ('yesterday 3pm', 'Thursday at 3pm') also answers the time after it.
DATE_WITH_TIME = (("session_date", "start_time"), ("next_date", "next_time"))


def is_age(f: Field) -> bool:
    """An integer field asking for an age, which also takes a band ('20s', 'early 30s')."""
    return f.type == "integer" and f.key == "age"


def examples(f: Field, date_order: str = "DMY") -> str:
    """A few answers this field takes, for its hint and the input placeholder ('' if none)."""
    if f.type == "date":
        return ", ".join(date_examples(f.dates, date_order))
    if f.type == "time":
        return "2:30pm, 14:30, half 2"
    if f.type == "duration":
        return "45, 1h15, an hour and a half"
    if is_age(f):
        return "34, about 30, 20s"
    if f.type == "rating":
        return f"{f.minimum or 1} to {f.maximum or 10}, like 7 or 7/{f.maximum or 10}"
    if f.type == "integer":
        return f"a number from {f.minimum} to {f.maximum}"
    return ""


def quick_choices(f: Field) -> tuple[Choice, ...]:
    """Buttons for a field: its choices, or handy shortcuts for dates, durations and ratings."""
    if f.type in ("choice", "multichoice"):
        return tuple(Choice(f"c:{c.token}", c.label) for c in f.choices)
    if f.type == "yesno":
        return (Choice("c:yes", "Yes"), Choice("c:no", "No"))
    if f.type == "rating":
        return tuple(
            Choice(f"c:{i}", str(i)) for i in range(f.minimum or 1, (f.maximum or 10) + 1)
        )
    if f.type == "date":
        if f.dates == "future":
            return (Choice("c:tomorrow", "Tomorrow"), Choice("c:next_week", "In a week"))
        return (Choice("c:today", "Today"), Choice("c:yesterday", "Yesterday"))
    if f.type == "duration":
        return tuple(Choice(f"c:{m}", f"{m} min") for m in QUICK_DURATIONS)
    return ()


def _token_text(token: str) -> str:
    return {"next_week": "in 1 week"}.get(token, token)


def _match_choice(f: Field, text: str) -> str:
    raw = text.strip().casefold()
    for i, c in enumerate(f.choices, 1):
        if raw in (c.token, c.label.casefold(), str(i)):
            return c.token
    options = ", ".join(c.label for c in f.choices)
    raise Invalid(f"Please tap one of the options (or type one of: {options}).")


def parse_value(template: Template, draft: dict[str, Any], f: Field, text: str, ctx: Ctx) -> Any:
    """Turn typed text (or a quick-button token's text) into the stored value for ``f``."""
    clock = ctx.clock
    if f.type in ("text", "longtext"):
        return parse_text(text, f.max_length)
    if f.type == "choice":
        return _match_choice(f, text)
    if f.type == "multichoice":
        parts = [p for p in re.split(r"[,;]+", text) if p.strip()]
        return sorted({_match_choice(f, p) for p in parts}, key=[c.token for c in f.choices].index)
    if f.type == "yesno":
        word = text.strip().casefold()
        if word in YES or word in NO:
            return "yes" if word in YES else "no"
        raise Invalid("Please answer yes or no.")
    if is_age(f):
        return parse_age(text, f.minimum, f.maximum)
    if f.type == "rating":
        return parse_scale(text, f.minimum, f.maximum)
    if f.type == "integer":
        return parse_integer(text, f.minimum, f.maximum)
    if f.type == "duration":
        return parse_duration(text)
    if f.type == "date":
        day, hint = parse_date(text, clock, f.dates)
        if hint and day == clock.today:
            _check_today(hint, f.dates, clock)
        for date_role, time_role in DATE_WITH_TIME:
            time_key = template.roles.get(time_role)
            if hint and f.key == template.roles.get(date_role) and time_key:
                draft["answers"][time_key] = hint.strftime("%H:%M")
        return day.isoformat()
    if f.type == "time":
        t = parse_time(text, clock)
        _check_time(template, draft, f, text, t, clock)
        return t.strftime("%H:%M")
    raise Invalid("Please use the buttons for this question.")


def _check_today(hint: time, when: str, clock: Clock) -> None:
    """Refuse 'today 11pm' for a session that happened, and 'today 9am' at 10am for one to come."""
    later = hint > clock.local_now.time()
    if later and when == "past":
        raise Invalid("That time is later than now. Notes are for sessions that have happened.")
    if not later and when == "future":
        raise Invalid("That time has already passed today. Please give a later one.")


def _check_time(
    template: Template, draft: dict[str, Any], f: Field, text: str, t: time, clock: Clock
) -> None:
    """Refuse a start time later than now or off the session's day, a next time in the past."""
    moment = time_ago(text, clock)
    if f.key == template.roles.get("next_time") and moment is not None:
        raise Invalid("That is in the past. Please give the next session's time, like 2:30pm.")
    if f.key != template.roles.get("start_time"):
        return
    day = draft["answers"].get(template.roles.get("session_date", ""))
    if moment is not None and day and moment.date().isoformat() != day:
        raise Invalid(
            f"That was {moment:%H:%M} on {moment:%a} {moment.day} {moment:%b}, not the "
            "session's date. Please type the start time, like 14:30."
        )
    if day == clock.today.isoformat() and t > clock.local_now.time():
        raise Invalid(
            "That start time is later than now. Notes are for sessions that have happened."
        )


def value_input(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> Any:
    """Read a typed answer or a quick button's token as the value for ``f``."""
    if token is not None:
        if not token.startswith("c:"):
            raise Invalid(STALE)
        choice = token.removeprefix("c:")
        if choice not in {c.token.removeprefix("c:") for c in quick_choices(f)}:
            raise Invalid(STALE)
        text = _token_text(choice) if f.type not in ("choice",) else f.choice_label(choice)
    if text is None:
        raise Invalid("Please type an answer or tap an option.")
    return parse_value(template, draft, f, text, ctx)
