"""Domain rules that are not the template's business: lateness, pauses, reminder times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.records import Kind, NewReminder, NoteRecord, WorkerRecord

#: Notes should be finished within this long after the session ends; later ones are 'late'.
LATE_AFTER = timedelta(hours=24)
#: A draft untouched this long is paused: the next message asks before being used.
PAUSE_AFTER = timedelta(hours=2)
#: Telegram lets a bot delete its messages in a private chat for 48 hours; keep a margin.
TIDY_WINDOW = timedelta(hours=47)
#: Action reminders arrive at this local time on the due date unless the worker picks another.
MORNING = time(9, 0)
#: The next session is announced this long before it starts (and the day before).
NEXT_SESSION_LEAD = timedelta(hours=1)
#: A planned session with no note this long after its start prompts "did it happen?".
MISSING_NOTE_AFTER = timedelta(hours=3)
#: An untouched draft is nudged after this long, and again this long after it was started.
NUDGE_IDLE = timedelta(hours=2)
NUDGE_LATE = timedelta(hours=20)
#: "Snooze" and "Later" on a reminder.
SNOOZE = timedelta(hours=1)
LATER = timedelta(hours=3)
#: A reminder sent this long after it was due says how late it is.
LATE_SEND = timedelta(minutes=10)
#: A failed send is retried with growing pauses, then given up.
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 10


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def local_at(day: date, minutes: int, timezone: str) -> datetime:
    """``minutes`` after local midnight on ``day``, in UTC (a time skipped by a DST change
    moves forward, as clocks do)."""
    naive = datetime.combine(day, time(minutes // 60, minutes % 60))
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_day(moment: datetime, timezone: str) -> date:
    """The worker's calendar day at ``moment``."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def is_late(session_start: datetime | None, duration_minutes: int | None, saved: datetime) -> bool:
    """Whether a note saved at ``saved`` missed the 24-hour mark after its session ended."""
    written = written_after(session_start, duration_minutes, saved)
    return written is not None and written > LATE_AFTER


def written_after(
    session_start: datetime | None, duration_minutes: int | None, saved: datetime | None
) -> timedelta | None:
    """How long after the session ended the note was written (None if unknown)."""
    if session_start is None or saved is None:
        return None
    return saved - (session_start + timedelta(minutes=duration_minutes or 0))


def late_text(note: NoteRecord) -> str | None:
    """'written 30 h after the session' for a late note, else None."""
    if not note.late:
        return None
    after = written_after(note.session_start, note.duration_minutes, note.completed_at)
    if after is None:
        return None
    hours = int(after.total_seconds() // 3600)
    if hours >= 72:
        return f"written {hours // 24} days after the session"
    return f"written {hours} h after the session"


def action_reminder(
    due: date | None, timezone: str, now: datetime, morning_minutes: int = _minutes(MORNING)
) -> datetime | None:
    """The worker's morning on the due date, in UTC; ``now`` (the next sweep) when that has
    passed, so an action due today or earlier is still reminded; None without a date."""
    if due is None:
        return None
    at = local_at(due, morning_minutes, timezone)
    return at if at > now else now


def session_reminders(
    start: datetime | None, worker: WorkerRecord, now: datetime, has_participant: bool
) -> tuple[NewReminder, ...]:
    """The day before at the worker's morning, an hour before, and (with a participant) the
    'did it happen?' question three hours after; none whose time has already passed.

    Rows are made whatever the worker's settings say: the settings are read when a reminder
    falls due, so turning one back on works for sessions already planned."""
    if start is None:
        return ()
    eve = local_day(start, worker.timezone) - timedelta(days=1)
    planned = [
        NewReminder(Kind.SESSION_DAY, local_at(eve, worker.morning_minutes, worker.timezone)),
        NewReminder(Kind.SESSION_SOON, start - NEXT_SESSION_LEAD),
    ]
    if has_participant:
        planned.append(NewReminder(Kind.MISSING_NOTE, start + MISSING_NOTE_AFTER))
    return tuple(
        NewReminder(r.kind, r.due_at, subject_at=start) for r in planned if r.due_at > now
    )


def wanted(kind: str, worker: WorkerRecord) -> bool:
    """Whether the worker's settings still want reminders of this kind."""
    if kind == Kind.SESSION_DAY:
        return worker.session_day_before
    if kind == Kind.SESSION_SOON:
        return worker.session_hour_before
    if kind == Kind.DIGEST:
        return worker.digest_minutes is not None
    return True


def next_morning(worker: WorkerRecord, now: datetime) -> datetime:
    """Tomorrow at the worker's morning time ("Tomorrow" on a reminder)."""
    tomorrow = local_day(now, worker.timezone) + timedelta(days=1)
    return local_at(tomorrow, worker.morning_minutes, worker.timezone)


def next_digest(timezone: str, minutes: int, now: datetime) -> datetime:
    """The first digest time strictly after ``now``."""
    today = local_day(now, timezone)
    at = local_at(today, minutes, timezone)
    return at if at > now else local_at(today + timedelta(days=1), minutes, timezone)


def nudge_due(created: datetime, updated: datetime, nudged: bool, now: datetime) -> str | None:
    """Which unfinished-note nudge a draft is due now, if any: the first after two idle hours,
    the second twenty hours after it was started (and two idle hours). A draft found only when
    the second is due gets just that one."""
    idle = updated + NUDGE_IDLE
    if max(created + NUDGE_LATE, idle) <= now:
        return Kind.DRAFT_LATE
    if not nudged and idle <= now:
        return Kind.DRAFT_IDLE
    return None


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try a failed send again (doubling pauses), or None to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def initials(name: str | None) -> str:
    """'Alex Smith' -> 'A. S.': what a calendar or, if chosen, a lock screen may show (words
    without a letter or digit, like an emoji, are left out)."""
    letters = [next((c for c in w if c.isalnum()), "") for w in (name or "").split()]
    return " ".join([f"{c.upper()}." for c in letters if c][:3]) or "?"


def is_paused(updated_at: datetime, now: datetime) -> bool:
    """A draft left alone long enough that a new message should not silently answer it."""
    return now - updated_at > PAUSE_AFTER


def usual_duration(recent_minutes: list[int]) -> int | None:
    """The worker's typical session length (the median of their latest), None if unknown."""
    if not recent_minutes:
        return None
    ordered = sorted(recent_minutes)
    return ordered[len(ordered) // 2]
