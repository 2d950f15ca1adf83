"""How times read to a worker: in their timezone, relative to today where that is clearer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def clock(moment: datetime, timezone: str) -> str:
    """'14:05' in the worker's timezone."""
    return f"{moment.astimezone(ZoneInfo(timezone)):%H:%M}"


def day(value: date) -> str:
    """'Mon 30 Nov'."""
    return f"{value:%a} {value.day} {value:%b}"


def when(moment: datetime, timezone: str, now: datetime) -> str:
    """'today 14:05', 'tomorrow 09:00', 'yesterday 14:05' or 'Mon 30 Nov, 14:05'."""
    zone = ZoneInfo(timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    offset = (local.date() - today).days
    names = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if offset in names:
        return f"{names[offset]} {local:%H:%M}"
    return f"{day(local.date())}, {local:%H:%M}"


def span(delta: timedelta) -> str:
    """'40 min', '3 h', '2 days': how long, roughly."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
