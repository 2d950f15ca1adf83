"""A worker answering a reminder: Done, Snooze 1 h, Tomorrow, Open, Later, It didn't happen.

Buttons carry ``r|<op>|<reminder id>``. The reminder is looked up among the worker's own, so a
forged, stale or someone else's button finds nothing and only says it has expired; a second
tap on Snooze or Tomorrow makes no second reminder (the follow-up row has a key).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.service import agenda, calendar, capture, policy
from bot.service.deps import Turn
from bot.service.drafts import OpenDraft
from bot.service.moments import day, when
from bot.service.replies import EXPIRED, Button, Notice, Reply
from storage.records import Kind, NewReminder, ReminderRecord

WHO = {
    "participant": "the participant",
    "worker": "you",
    "both": "you both",
    "other": "someone else",
}


@dataclass(frozen=True)
class Followup:
    """What a tap shows: by editing the tapped message (no new notification), or as a new
    message; plus a file to send, if any."""

    reply: Reply
    edit: bool = True
    document: calendar.CalendarFile | None = None


def _expired() -> Followup:
    return Followup(Reply(toast=EXPIRED), edit=False)


def _show(text: str, *rows: tuple[Button, ...], toast: str | None = None) -> Followup:
    return Followup(Reply(screens=(Notice(text),), buttons=tuple(rows), toast=toast))


async def press(turn: Turn, data: str) -> Followup:
    """Act on a reminder button of this worker's."""
    _, op, rid = [*data.split("|"), "", ""][:3]
    r = await turn.storage.reminders.get(turn.worker.id, rid)
    if r is None:
        return _expired()
    if op == "x":
        return await _cancel(turn, r)
    if r.cancelled and op != "open":
        return _expired()
    if op == "done" and r.kind == Kind.ACTION:
        done = await turn.storage.agenda.complete_action(turn.worker.id, r.ref_id or "", turn.now)
        return _show("✅ Follow-up done.", toast="Marked done." if done else "Already done.")
    if op in ("snz", "tmw", "ltr"):
        return await _later(turn, r, op)
    if op == "open":
        return await _open(turn, r)
    if op == "ics" and r.kind in Kind.SESSIONS:
        found = await calendar.upcoming_file(turn, r.ref_id)
        if isinstance(found, Reply):
            return Followup(found, edit=False)
        return Followup(Reply(toast="Calendar file sent."), edit=False, document=found)
    if op == "wr" and r.kind == Kind.MISSING_NOTE:
        return Followup(await capture.start_note(turn), edit=False)
    if op == "no" and r.kind == Kind.MISSING_NOTE:
        await turn.storage.reminders.cancel_about(
            turn.worker.id, r.ref_id or "", Kind.SESSIONS, sent_too=True
        )
        return _show("Noted: that session didn't happen.", toast="Noted.")
    if op == "drop" and r.kind in Kind.DRAFTS:
        rec = await turn.storage.drafts.get(turn.worker.id)
        if rec is None or rec.id != r.ref_id:
            return _expired()
        return Followup(capture.confirm_discard(OpenDraft.of(rec)))
    return _expired()


async def _later(turn: Turn, r: ReminderRecord, op: str) -> Followup:
    """Snooze 1 h, Tomorrow (at the worker's morning) or Later (in 3 h): one new row."""
    now, w = turn.now, turn.worker
    at = {
        "snz": now + policy.SNOOZE,
        "tmw": policy.next_morning(w, now),
        "ltr": now + policy.LATER,
    }[op]
    again = NewReminder(r.kind, at, r.ref_id, r.subject_at, r.text, dedupe=f"after:{r.id}")
    if not await turn.storage.reminders.add(w.id, [again]):
        return Followup(Reply(toast="Already rescheduled."), edit=False)
    await turn.storage.reminders.cancel(w.id, r.id)  # if it was not sent yet
    verb = "I'll ask again" if op == "ltr" else "I'll remind you again"
    return _show(f"⏰ {verb} {when(at, w.timezone, now)}.", toast="Rescheduled.")


async def _cancel(turn: Turn, r: ReminderRecord) -> Followup:
    """✖ in /reminders: cancel it and show the list again."""
    cancelled = await turn.storage.reminders.cancel(turn.worker.id, r.id)
    again = await agenda.upcoming(turn)
    toast = "Cancelled." if cancelled else "That one was already sent or cancelled."
    return Followup(replace(again, toast=toast))


async def _open(turn: Turn, r: ReminderRecord) -> Followup:
    """The details the first message left out, in place of it."""
    w, now, storage = turn.worker, turn.now, turn.storage
    if r.kind == Kind.DIGEST:
        return Followup(await agenda.today(turn))
    if r.kind == Kind.ACTION:
        item = await storage.agenda.action(w.id, r.ref_id or "")
        if item is None:
            return _expired()
        a = item.action
        if a.done:
            return _show(f"✅ Done: {a.text}")
        lines = [f"⏰ Follow-up: {a.text}", f"Who: {WHO.get(a.who, a.who)}"]
        if a.due is not None:
            lines.append(f"Due {day(a.due)}")
        if item.session_start is not None:
            person = f" with {item.participant_name}" if item.participant_name else ""
            lines.append(
                f"From the session{person} on {when(item.session_start, w.timezone, now)}"
            )
        return _show(
            "\n".join(lines),
            (Button("Done", f"r|done|{r.id}"), Button("Snooze 1 h", f"r|snz|{r.id}")),
            (Button("Tomorrow", f"r|tmw|{r.id}"),),
        )
    if r.kind in Kind.SESSIONS:
        note = await storage.notes.get(w.id, r.ref_id or "")
        if note is None:
            return _expired()
        seen = None
        if note.participant_id:
            seen = await storage.participants.get(w.id, note.participant_id)
        with_ = f" with {seen.name}" if seen else ""
        start = when(r.subject_at or r.due_at, w.timezone, now)
        if r.kind == Kind.MISSING_NOTE:
            return _show(
                f"📝 Planned session{with_}: {start}. No note has been saved for it yet.",
                (
                    Button("Write it up", f"r|wr|{r.id}"),
                    Button("It didn't happen", f"r|no|{r.id}"),
                ),
                (Button("Later", f"r|ltr|{r.id}"),),
            )
        lines = [f"📅 Next session{with_}: {start}."]
        if note.session_start is not None:
            lines.append(f"Planned at the session on {when(note.session_start, w.timezone, now)}.")
        if seen is not None:
            for a in await storage.notes.open_actions(w.id, seen.id):
                due = f" (due {day(a.due)})" if a.due else ""
                lines.append(f"• {a.text}{due}")
        return _show("\n".join(lines), (Button("Add to calendar", f"r|ics|{r.id}"),))
    return _expired()
