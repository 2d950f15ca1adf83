"""Domain rules that are not the template's business: lateness, pauses, reminder times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Notes should be finished within this long after the session ends; later ones are 'late'.
LATE_AFTER = timedelta(hours=24)
#: A draft untouched this long is paused: the next message asks before being used.
PAUSE_AFTER = timedelta(hours=2)
#: Telegram lets a bot delete its messages in a private chat for 48 hours; keep a margin.
TIDY_WINDOW = timedelta(hours=47)
#: Action reminders arrive at this local hour on the due date.
MORNING = time(9, 0)
#: The next session is announced this long before it starts.
NEXT_SESSION_LEAD = timedelta(hours=1)


def is_late(session_start: datetime | None, duration_minutes: int | None, saved: datetime) -> bool:
    """Whether a note saved at ``saved`` missed the 24-hour mark after its session ended."""
    if session_start is None:
        return False
    end = session_start + timedelta(minutes=duration_minutes or 0)
    return saved - end > LATE_AFTER


def action_reminder(due: date | None, timezone: str, now: datetime) -> datetime | None:
    """09:00 local on the due date, in UTC; None when there is no date or it has passed."""
    if due is None:
        return None
    at = datetime.combine(due, MORNING, tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    return at if at > now else None


def next_session_reminders(start: datetime | None, now: datetime) -> tuple[datetime, ...]:
    """One reminder an hour before the next session, unless that moment has passed."""
    if start is None:
        return ()
    at = start - NEXT_SESSION_LEAD
    return (at,) if at > now else ()


def is_paused(updated_at: datetime, now: datetime) -> bool:
    """A draft left alone long enough that a new message should not silently answer it."""
    return now - updated_at > PAUSE_AFTER
