"""What the reminder sweep sends: the rows it makes by itself, and each due row's message.

A first message names nobody and says nothing of a note (it may show on a lock screen): "A
follow-up is due — tap Open". With the worker's lock-screen setting on "initials" it adds
the participant's initials. Details appear only after a tap (bot/service/followups.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.service import agenda, policy
from bot.service.deps import Deps
from bot.service.moments import clock, span, when
from bot.service.replies import Button, Notice, Reply
from storage.records import DraftHead, Kind, NewReminder, ReminderRecord, WorkerRecord

Buttons = tuple[tuple[Button, ...], ...]
#: What a review's notification says: never a name, a date or a word of the note.
REVIEW_NOTICES = {
    Kind.NOTE_REVIEWED: "✅ A supervisor marked one of your notes as reviewed.",
    Kind.REVISION_ASKED: "✎ A supervisor asked for a revision of one of your notes: see /reviews.",
    Kind.REVISION_ANSWERED: "↩️ A revision you asked for was answered: see /reviews.",
}


@dataclass(frozen=True)
class Outgoing:
    """A claimed reminder, ready to show: where, and what."""

    reminder: ReminderRecord
    worker: WorkerRecord
    reply: Reply

    @property
    def chat_id(self) -> int:
        return self.worker.telegram_user_id


@dataclass(frozen=True)
class Skipped:
    """A claimed reminder that is no longer wanted (done, written, turned off, gone)."""

    reminder: ReminderRecord
    reason: str


async def make_due_rows(deps: Deps) -> int:
    """Add the reminders nobody schedules by hand: unfinished-note nudges that are due now,
    and each digest worker's next digest. Keys make a second instance's inserts no-ops."""
    now, storage = deps.now(), deps.storage
    made = 0
    for idle in await storage.agenda.idle_drafts(now - policy.NUDGE_IDLE):
        d = idle.draft
        kind = policy.nudge_due(d.created_at, d.updated_at, idle.nudged, now)
        if kind is not None:
            row = NewReminder(kind, now, d.id, d.created_at, dedupe=f"{kind}:{d.id}")
            made += await storage.reminders.add(d.worker_id, [row])
    for worker_id, timezone, minutes in await storage.agenda.digest_wanted():
        made += await _plan_digest(deps, worker_id, timezone, minutes)
    return made


async def _plan_digest(deps: Deps, worker_id: int, timezone: str, minutes: int) -> int:
    at = policy.next_digest(timezone, minutes, deps.now())
    key = f"{Kind.DIGEST}:{worker_id}:{at:%Y%m%d%H%M}"
    return await deps.storage.reminders.add(worker_id, [NewReminder(Kind.DIGEST, at, dedupe=key)])


async def compose(deps: Deps, batch: list[ReminderRecord]) -> list[Outgoing | Skipped]:
    """Each claimed reminder as a message, or why it is not sent after all."""
    storage = deps.storage
    workers = await storage.workers.get_many(r.worker_id for r in batch)
    drafts = await storage.agenda.draft_heads(r.worker_id for r in batch if r.kind in Kind.DRAFTS)
    actions = await storage.agenda.still_open(
        r.ref_id or "" for r in batch if r.kind == Kind.ACTION
    )
    out: list[Outgoing | Skipped] = []
    for r in batch:
        worker = workers.get(r.worker_id)
        if worker is None or not worker.active:
            out.append(Skipped(r, "worker removed"))
        elif not policy.wanted(r.kind, worker):
            out.append(Skipped(r, "turned off"))
        elif r.kind == Kind.ACTION and r.ref_id not in actions:
            out.append(Skipped(r, "done"))
        else:
            out.append(await _message(deps, r, worker, drafts.get(r.worker_id)))
    return out


async def _message(
    deps: Deps, r: ReminderRecord, w: WorkerRecord, draft: DraftHead | None
) -> Outgoing | Skipped:
    storage, tz = deps.storage, w.timezone
    who = f" with {r.text}" if w.lock_screen == "initials" and r.text else ""
    at = clock(r.subject_at or r.due_at, tz)
    buttons: Buttons
    if r.kind == Kind.ACTION:
        mark = f" for {r.text}" if who else ""
        text = f"⏰ A follow-up{mark} is due. Tap Open to see it."
        buttons = (
            (Button("Done", f"r|done|{r.id}"), Button("Snooze 1 h", f"r|snz|{r.id}")),
            (Button("Tomorrow", f"r|tmw|{r.id}"), Button("Open", f"r|open|{r.id}")),
        )
    elif r.kind in (Kind.SESSION_DAY, Kind.SESSION_SOON):
        day = "tomorrow" if r.kind == Kind.SESSION_DAY else "today"
        lead = "" if r.kind == Kind.SESSION_DAY else ", in an hour"
        text = f"📅 You have a session{who} {day} at {at}{lead}."
        buttons = ((Button("Open", f"r|open|{r.id}"), Button("Add to calendar", f"r|ics|{r.id}")),)
    elif r.kind == Kind.MISSING_NOTE:
        start = r.subject_at or r.due_at - policy.MISSING_NOTE_AFTER
        if await storage.agenda.written_since(w.id, r.ref_id or "", start):
            return Skipped(r, "written")
        subject = f"the session{who}" if who else f"your {at} session"
        text = f"📝 Did {subject} happen? No note has been saved for it yet."
        buttons = (
            (Button("Write it up", f"r|wr|{r.id}"), Button("It didn't happen", f"r|no|{r.id}")),
            (Button("Later", f"r|ltr|{r.id}"), Button("Open", f"r|open|{r.id}")),
        )
    elif r.kind in Kind.DRAFTS:
        if draft is None or draft.id != r.ref_id:
            return Skipped(r, "saved or discarded")
        started = when(draft.created_at, tz, deps.now())
        text = f"📝 You have an unfinished note started {started}."
        if r.kind == Kind.DRAFT_LATE:
            text += " The 24-hour mark is near: please finish it soon."
        buttons = (
            (
                Button("Resume", f"d|resume|{draft.id[:8]}|{draft.seq}"),
                Button("Discard", f"r|drop|{r.id}"),
            ),
        )
        late = _late(r, deps, tz)
        reply = Reply(screens=(Notice(text + late),), buttons=buttons, remember=draft.id)
        return Outgoing(r, w, reply)
    elif r.kind in Kind.REVIEWS:
        text = REVIEW_NOTICES[r.kind]
        buttons = () if r.kind == Kind.NOTE_REVIEWED else ((Button("Open", "rq"),),)
    elif r.kind == Kind.DIGEST:
        day_view = await agenda.summary(deps, w)
        if day_view is None:
            return Skipped(r, "nothing to say")
        text = f"☀️ Your day: {day_view}. Tap Open to see it."
        buttons = ((Button("Open", f"r|open|{r.id}"),),)
    else:
        return Skipped(r, "unknown kind")
    return Outgoing(r, w, Reply(screens=(Notice(text + _late(r, deps, tz)),), buttons=buttons))


def _late(r: ReminderRecord, deps: Deps, tz: str) -> str:
    """' (Due 09:00, sent 3 h late.)' when delivery is noticeably late (the bot was down)."""
    late = deps.now() - r.due_at
    if r.kind in Kind.DRAFTS or late < policy.LATE_SEND:
        return ""
    return f"\n(Due {when(r.due_at, tz, deps.now())}, sent {span(late)} late.)"


async def settings_changed(deps: Deps, before: WorkerRecord, after: WorkerRecord) -> int:
    """Move pending reminders that sit at the old morning time (not snoozed ones) to the new
    one, and let the sweep plan the digest afresh. Returns how many moved."""
    storage, now = deps.storage, deps.now()
    if (before.digest_minutes, before.timezone) != (after.digest_minutes, after.timezone):
        await storage.reminders.forget_pending(after.id, [Kind.DIGEST])
        if after.digest_minutes is not None:
            await _plan_digest(deps, after.id, after.timezone, after.digest_minutes)
    if (before.morning_minutes, before.timezone) == (after.morning_minutes, after.timezone):
        return 0
    dues = {i.action.id: i.action.due for i in await storage.agenda.open_actions(after.id, 1000)}

    def moved(r: ReminderRecord) -> datetime | None:
        if r.kind == Kind.ACTION:
            due = dues.get(r.ref_id or "")
            if due is None or r.due_at != policy.local_at(
                due, before.morning_minutes, before.timezone
            ):
                return None
            return policy.action_reminder(due, after.timezone, now, after.morning_minutes)
        if r.subject_at is None:
            return None
        eves = [
            policy.local_day(r.subject_at, w.timezone) - timedelta(days=1) for w in (before, after)
        ]
        if r.due_at != policy.local_at(eves[0], before.morning_minutes, before.timezone):
            return None
        at = policy.local_at(eves[1], after.morning_minutes, after.timezone)
        return at if at > now else None

    return await storage.reminders.reschedule(after.id, [Kind.ACTION, Kind.SESSION_DAY], moved)
