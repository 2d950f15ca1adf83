"""Planned sessions as an .ics file for the worker's own calendar, with initials only.

A phone calendar syncs to other services and shows on lock screens, so an event says
"Peer-support session (A. S.)" and nothing about the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from bot.service.deps import Turn
from bot.service.replies import Notice, Reply
from conversations.template import get_template
from storage.records import NoteRecord, PlannedSession

DEFAULT_LENGTH = timedelta(hours=1)
PRODID = "-//casenotes//planned sessions//EN"


@dataclass(frozen=True)
class CalendarFile:
    """A document to send: its file name, bytes and a one-line caption."""

    filename: str
    content: bytes
    caption: str


def sessions_ics(sessions: list[PlannedSession], now: datetime) -> bytes:
    """One VEVENT per session, in UTC, each reminding an hour before."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    for s in sessions:
        event = Event()
        event.add("uid", f"{s.note_id}@casenotes")
        event.add("dtstamp", now)
        event.add("dtstart", s.start)
        length = timedelta(minutes=s.duration_minutes) if s.duration_minutes else DEFAULT_LENGTH
        event.add("dtend", s.start + length)
        event.add(
            "summary", f"Peer-support session ({s.label})" if s.label else "Peer-support session"
        )
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Peer-support session")
        alarm.add("trigger", -timedelta(hours=1))
        event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


async def upcoming_file(turn: Turn, note_id: str | None = None) -> CalendarFile | Reply:
    """/calendar (every planned session to come) or one note's next session, as an .ics."""
    sessions = await turn.storage.agenda.planned_sessions(turn.worker.id, turn.now)
    if note_id is not None:
        sessions = [s for s in sessions if s.note_id == note_id]
    if not sessions:
        return Reply(screens=(Notice("No upcoming sessions are planned in your notes."),))
    n = len(sessions)
    caption = "Open this to add the session to your calendar."
    if n > 1:
        caption = f"Open this to add {n} planned sessions to your calendar."
    return CalendarFile("sessions.ics", sessions_ics(sessions, turn.now), caption)


def next_session_of(note: NoteRecord, timezone: str) -> datetime | None:
    """The next session a saved note plans, if any (for the saved card)."""
    try:
        template = get_template(note.template_id, note.template_version)
    except LookupError:
        return None
    answers = note.content.get("answers", {})
    day = answers.get(template.roles.get("next_date", ""))
    if not day:
        return None
    at = answers.get(template.roles.get("next_time", "")) or "09:00"
    try:
        local = datetime.combine(date.fromisoformat(day), time.fromisoformat(at))
    except (TypeError, ValueError):
        return None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
