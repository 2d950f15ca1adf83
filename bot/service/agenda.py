"""The worker's day: /actions, /reminders, /today and the daily digest's one line.

These are answers to the worker's own command, read in the chat, so they name participants;
only messages the bot sends unasked (reminders) keep names off the lock screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.service import policy
from bot.service.deps import Deps, Turn
from bot.service.moments import day, when
from bot.service.replies import EXPIRED, Button, Notice, Reply
from storage.records import DraftHead, Kind, OpenAction, PlannedSession, WorkerRecord

SHOWN = 20
LOOK_BACK = timedelta(days=7)
LABELS = {
    Kind.ACTION: "Follow-up",
    Kind.SESSION_DAY: "Session reminder (day before)",
    Kind.SESSION_SOON: "Session reminder (hour before)",
    Kind.MISSING_NOTE: "Did the session happen?",
    Kind.DRAFT_IDLE: "Unfinished note",
    Kind.DRAFT_LATE: "Unfinished note",
    Kind.DIGEST: "Daily digest",
}


@dataclass(frozen=True)
class Day:
    """What /today shows: overdue and due-today actions, the open draft, unwritten sessions."""

    overdue: list[OpenAction]
    due_today: list[OpenAction]
    draft: DraftHead | None
    unwritten: list[PlannedSession]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_today or self.draft or self.unwritten)


def _action_line(n: int, item: OpenAction, today: date) -> str:
    a = item.action
    line = f"{n}. {a.text}"
    if item.participant_name:
        line += f" · {item.participant_name}"
    if a.due is not None:
        line += f" · due {day(a.due)}" + (" (overdue)" if a.due < today else "")
    return line


def _done_buttons(items: list[OpenAction], view: str) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(f"✅ {n}", f"a|done|{i.action.id}|{view}") for n, i in enumerate(items, 1)]
    return tuple(tuple(buttons[i : i + 5]) for i in range(0, len(buttons), 5))


async def actions(turn: Turn) -> Reply:
    """/actions: open follow-ups, overdue first, each with a Done button."""
    items = await turn.storage.agenda.open_actions(turn.worker.id)
    if not items:
        return Reply(screens=(Notice("No open follow-ups. 🎉"),))
    today = policy.local_day(turn.now, turn.worker.timezone)
    shown = items[:SHOWN]
    lines = [_action_line(n, item, today) for n, item in enumerate(shown, 1)]
    if len(items) > SHOWN:
        lines.append(f"…and {len(items) - SHOWN} more.")
    lines.append("Tap ✅ and a number when one is done.")
    screen = Notice("\n".join(lines), title="Open follow-ups")
    return Reply(screens=(screen,), buttons=_done_buttons(shown, "l"))


async def complete(turn: Turn, action_id: str, view: str) -> Reply:
    """A Done button in a list: mark the action done and show the list again."""
    item = await turn.storage.agenda.action(turn.worker.id, action_id)
    if item is None:
        return Reply(toast=EXPIRED)
    done = await turn.storage.agenda.complete_action(turn.worker.id, action_id, turn.now)
    again = await (today(turn) if view == "t" else actions(turn))
    return Reply(
        screens=again.screens,
        buttons=again.buttons,
        toast="Marked done." if done else "That one was already done.",
    )


async def upcoming(turn: Turn) -> Reply:
    """/reminders: what is coming, each with a button to cancel it."""
    rows = [
        r
        for r in await turn.storage.reminders.pending_for(turn.worker.id)
        if policy.wanted(r.kind, turn.worker)
    ]
    if not rows:
        return Reply(screens=(Notice("No reminders are coming up."),))
    tz, now = turn.worker.timezone, turn.now
    shown = rows[:SHOWN]
    lines = []
    for n, r in enumerate(shown, 1):
        label = LABELS.get(r.kind, "Reminder") + (f" · {r.text}" if r.text else "")
        lines.append(f"{n}. {when(r.due_at, tz, now)} · {label}")
    if len(rows) > SHOWN:
        lines.append(f"…and {len(rows) - SHOWN} more.")
    lines.append("Tap ✖ and a number to cancel one.")
    buttons = [Button(f"✖ {n}", f"r|x|{r.id}") for n, r in enumerate(shown, 1)]
    rows_of_buttons = tuple(tuple(buttons[i : i + 5]) for i in range(0, len(buttons), 5))
    screen = Notice("\n".join(lines), title="Coming up")
    return Reply(screens=(screen,), buttons=rows_of_buttons)


async def read_day(deps: Deps, worker: WorkerRecord) -> Day:
    """Gather what /today and the digest show."""
    storage, now = deps.storage, deps.now()
    today = policy.local_day(now, worker.timezone)
    items = await storage.agenda.open_actions(worker.id)
    overdue = [i for i in items if i.action.due is not None and i.action.due < today]
    due_today = [i for i in items if i.action.due == today]
    draft = (await storage.agenda.draft_heads([worker.id])).get(worker.id)
    unwritten = [
        s
        for s in await storage.agenda.planned_sessions(worker.id, now - LOOK_BACK, now)
        if s.participant_id is not None
        and not await storage.agenda.written_since(worker.id, s.note_id, s.start)
    ]
    return Day(overdue, due_today, draft, unwritten)


async def summary(deps: Deps, worker: WorkerRecord) -> str | None:
    """The digest's line: counts only, no names ('2 follow-ups due (1 overdue), ...')."""
    d = await read_day(deps, worker)
    if d.empty:
        return None
    parts = []
    due = len(d.overdue) + len(d.due_today)
    if due:
        parts.append(f"{due} follow-up{'s' if due != 1 else ''} due")
        if d.overdue:
            parts[-1] += f" ({len(d.overdue)} overdue)"
    if d.draft:
        parts.append("1 unfinished note")
    if d.unwritten:
        n = len(d.unwritten)
        parts.append(f"{n} session{'s' if n != 1 else ''} without a note")
    return ", ".join(parts)


async def today(turn: Turn) -> Reply:
    """/today: overdue and due-today follow-ups, the unfinished note, unwritten sessions."""
    d = await read_day(turn.deps, turn.worker)
    if d.empty:
        return Reply(screens=(Notice("Nothing due today, no unfinished note. 🎉"),))
    tz, now = turn.worker.timezone, turn.now
    today_ = policy.local_day(now, tz)
    listed = (d.overdue + d.due_today)[:SHOWN]
    blocks, buttons = [], list(_done_buttons(listed, "t"))
    if listed:
        lines = [_action_line(n, item, today_) for n, item in enumerate(listed, 1)]
        blocks.append("Follow-ups due\n" + "\n".join(lines))
    if d.draft is not None:
        blocks.append(f"Unfinished note, started {when(d.draft.created_at, tz, now)}")
        resume = f"d|resume|{d.draft.id[:8]}|{d.draft.seq}"
        buttons.append((Button("Resume the note", resume),))
    if d.unwritten:
        lines = [
            f"• {s.label or 'A session'}, {when(s.start, tz, now)}" for s in d.unwritten[:SHOWN]
        ]
        blocks.append("Sessions without a note\n" + "\n".join(lines))
    screen = Notice("\n\n".join(blocks), title=f"Today, {day(today_)}")
    return Reply(screens=(screen,), buttons=tuple(buttons))
