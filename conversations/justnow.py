"""'Just now': a session that has just ended answers date, start time and duration at once.

The button says what it will record ('Just now (started 14:05, 45 min)'), and its token
carries exactly that, so a tap a few minutes later still records what the worker read.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conversations.context import STALE, USUAL_DURATION, Ctx
from conversations.fields import MAX_DURATION_MINUTES, Invalid, format_duration
from conversations.template import Choice, Field, Template

PREFIX = "c:just_now"
TYPED = {"just now", "just finished", "now"}
TOKEN = re.compile(r"c:just_now:(\d{4}-\d{2}-\d{2}):(\d{2})(\d{2}):(\d{1,3})")


def offered(template: Template, f: Field) -> bool:
    """Whether ``f`` is the session's date, with a start time and a duration to fill too."""
    roles = template.roles
    return (
        f.key == roles.get("session_date")
        and f.dates != "future"
        and bool(roles.get("start_time"))
        and bool(roles.get("duration"))
    )


def _minutes(ctx: Ctx) -> int:
    usual = ctx.usual_duration or USUAL_DURATION
    return max(5, min(int(usual), MAX_DURATION_MINUTES))


def _start(ctx: Ctx, minutes: int) -> datetime:
    """Now less the duration, in the worker's zone, rounded down to five minutes."""
    start = (ctx.clock.now - timedelta(minutes=minutes)).astimezone(ZoneInfo(ctx.clock.timezone))
    return start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)


def choice(ctx: Ctx) -> Choice:
    """The button: 'Just now (started 14:05, 45 min)'."""
    minutes = _minutes(ctx)
    start = _start(ctx, minutes)
    token = f"{PREFIX}:{start.date().isoformat()}:{start:%H%M}:{minutes}"
    return Choice(token, f"Just now (started {start:%H:%M}, {format_duration(minutes)})")


def wanted(text: str | None, token: str | None) -> bool:
    """Whether the input is 'Just now' (the button, or typed)."""
    if token is not None:
        return token.startswith(PREFIX)
    return " ".join((text or "").casefold().split()) in TYPED


def answer(
    template: Template, answers: dict[str, Any], f: Field, token: str | None, ctx: Ctx
) -> tuple[str, ...]:
    """Record date, start time and duration; return the questions answered besides ``f``."""
    if token is None or token == PREFIX:
        token = choice(ctx).token
    m = TOKEN.fullmatch(token)
    if m is None:
        raise Invalid(STALE)
    try:
        day, at = date.fromisoformat(m.group(1)), time(int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise Invalid(STALE) from None
    minutes = int(m.group(4))
    started = datetime.combine(day, at, ZoneInfo(ctx.clock.timezone))
    ago = ctx.clock.local_now - started
    if not 0 < minutes <= MAX_DURATION_MINUTES or not timedelta(0) <= ago <= timedelta(days=1):
        raise Invalid(STALE)
    start_key, duration_key = template.roles["start_time"], template.roles["duration"]
    answers[f.key] = day.isoformat()
    answers[start_key] = f"{at:%H:%M}"
    answers[duration_key] = minutes
    return start_key, duration_key
