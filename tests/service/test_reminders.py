"""Reminders through the application layer alone, on a clock the test moves: what is made,
what each message says (and does not say), and what each button does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from bot.service import agenda, calendar, followups, policy, reminders
from bot.service.deps import Deps, Turn
from bot.service.replies import Notice, Question, Reply
from bot.service.saving import to_new_note
from conversations.completion import CompletedAction, FinishedNote
from conversations.template import get_template
from storage.records import Kind, NewReminder, NoteRecord, ReminderRecord, WorkerRecord
from storage.service import Storage

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday, London


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def make_worker(storage: Storage, tg: int = 7001, tz: str = "Europe/London") -> WorkerRecord:
    invite = await storage.workers.create_invite(now=NOW)
    return await storage.workers.redeem_invite(invite.code, tg, "Sam", tz, NOW)


async def save_note(
    storage: Storage,
    worker: WorkerRecord,
    now: datetime,
    *,
    name: str | None = "Alex Smith",
    participant_id: str | None = None,
    actions: tuple[CompletedAction, ...] = (),
    next_session: datetime | None = None,
    session: datetime | None = None,
) -> NoteRecord:
    """Save a note as the capture use case does (saving.to_new_note), without the questions."""
    person = {"id": participant_id, "name": name} if name else None
    finished = FinishedNote(
        template_id="peer_support",
        template_version=1,
        answers={},
        consent_declined=False,
        session_start=session or now - timedelta(hours=1),
        duration_minutes=45,
        participant=person,
        actions=actions,
        next_session_at=next_session,
    )
    new = to_new_note(
        worker, finished, get_template("peer_support"), draft_id="", draft_seq=0, now=now
    )
    return await storage.notes.save(replace(new, draft_id=None, draft_seq=None), now)


def turn_for(storage: Storage, worker: WorkerRecord, clock: Clock) -> Turn:
    return Turn(Deps(storage, now=clock), worker, chat_id=worker.telegram_user_id)


def text_of(reply: Reply) -> str:
    return "\n".join(
        (f"{s.title}\n" if s.title else "") + s.text
        for s in reply.screens
        if isinstance(s, Notice)
    )


def labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def data_of(reply: Reply, label: str) -> str:
    return next(b.data for row in reply.buttons for b in row if b.label == label)


async def due_now(deps: Deps) -> list[ReminderRecord]:
    """Make the derived rows and claim what is due, as one sweep would."""
    await reminders.make_due_rows(deps)
    return await deps.storage.reminders.claim_due("test", deps.now())


async def sent(deps: Deps) -> list[reminders.Outgoing]:
    """The messages one sweep would send now (and mark them sent)."""
    out = []
    for item in await reminders.compose(deps, await due_now(deps)):
        if isinstance(item, reminders.Outgoing):
            await deps.storage.reminders.mark_sent(item.reminder.id, "test", deps.now())
            out.append(item)
        else:
            await deps.storage.reminders.drop(item.reminder.id, "test", item.reason)
    return out


# ---- policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "due", "utc"),
    [
        # Sydney moves to AEDT (UTC+11) on Sun 4 Oct 2026: 09:00 is 23:00Z before, 22:00Z after.
        ("Australia/Sydney", date(2026, 10, 3), datetime(2026, 10, 2, 23, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 10, 5), datetime(2026, 10, 4, 22, 0, tzinfo=UTC)),
        # New York moves to EST (UTC-5) on Sun 1 Nov 2026: 09:00 is 13:00Z before, 14:00Z after.
        ("America/New_York", date(2026, 10, 31), datetime(2026, 10, 31, 13, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 11, 2), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
    ],
)
def test_action_reminders_at_nine_local_across_daylight_saving(
    tz: str, due: date, utc: datetime, db_url: str
) -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    assert policy.action_reminder(due, tz, now) == utc
    later = utc + timedelta(hours=5)
    assert policy.action_reminder(due, tz, later) == later  # passed: at the next sweep


def test_tomorrow_across_a_change_keeps_the_local_hour(db_url: str) -> None:
    sydney = WorkerRecord(1, 1, "", "worker", None, "Australia/Sydney", "DMY", True, True)
    saturday_morning = datetime(2026, 10, 2, 23, 0, tzinfo=UTC)  # Sat 3 Oct 09:00 AEST
    assert policy.next_morning(sydney, saturday_morning) == datetime(
        2026, 10, 3, 22, 0, tzinfo=UTC
    )  # Sun 4 Oct 09:00 AEDT
    york = WorkerRecord(2, 2, "", "worker", None, "America/New_York", "DMY", True, True, 450)
    saturday = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    assert policy.next_morning(york, saturday) == datetime(2026, 11, 1, 12, 30, tzinfo=UTC)


def test_session_reminders_the_day_before_an_hour_before_and_after(db_url: str) -> None:
    york = WorkerRecord(2, 2, "", "worker", None, "America/New_York", "DMY", True, True)
    start = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Mon 2 Nov 10:00 EST
    made = policy.session_reminders(start, york, datetime(2026, 10, 30, tzinfo=UTC), True)
    assert [(r.kind, r.due_at) for r in made] == [
        (Kind.SESSION_DAY, datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),  # Sun 09:00 EST
        (Kind.SESSION_SOON, datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
        (Kind.MISSING_NOTE, datetime(2026, 11, 2, 18, 0, tzinfo=UTC)),
    ]
    assert all(r.subject_at == start for r in made)
    late = policy.session_reminders(start, york, datetime(2026, 11, 2, 14, 30, tzinfo=UTC), False)
    assert late == ()  # both already passed; no participant, so no "did it happen?"


def test_late_mark_says_how_late(db_url: str) -> None:
    session = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    saved = session + timedelta(minutes=60 + 30 * 60)
    assert policy.is_late(session, 60, saved)
    note = NoteRecord(
        "n", None, 1, session, 60, "peer_support", 1, {}, "complete", saved, saved, True
    )
    assert policy.late_text(note) == "written 30 h after the session"
    assert policy.late_text(replace(note, late=False)) is None


def test_failed_sends_back_off_then_stop(db_url: str) -> None:
    delays = [policy.retry_at(n, NOW) for n in range(1, policy.MAX_ATTEMPTS + 1)]
    assert delays[0] == NOW + timedelta(seconds=30)
    assert delays[1] == NOW + timedelta(seconds=60)
    assert delays[-2] == NOW + timedelta(hours=1)
    assert delays[-1] is None


# ---- messages ----------------------------------------------------------------------------


async def test_first_messages_name_nobody_unless_initials_are_chosen(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    deps = Deps(storage, now=clock)
    await save_note(
        storage,
        worker,
        NOW,
        actions=(CompletedAction("Call the council", "worker", date(2026, 11, 24)),),
        next_session=datetime(2026, 11, 25, 14, 0, tzinfo=UTC),
    )
    clock.now = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # everything is due by now
    order = [Kind.ACTION, Kind.SESSION_DAY, Kind.SESSION_SOON, Kind.MISSING_NOTE]
    out = sorted(await sent(deps), key=lambda o: order.index(o.reminder.kind))
    assert [o.reminder.kind for o in out] == order
    for o in out:
        text = text_of(o.reply)
        assert "Alex" not in text and "A. S." not in text and "council" not in text
        assert all(len(b.data.encode()) <= 64 for row in o.reply.buttons for b in row)
    assert text_of(out[0].reply).startswith("⏰ A follow-up is due. Tap Open")
    assert labels(out[0].reply) == ["Done", "Snooze 1 h", "Tomorrow", "Open"]
    assert "Did your 14:00 session happen?" in text_of(out[3].reply)
    assert labels(out[3].reply) == ["Write it up", "It didn't happen", "Later", "Open"]
    # Sent long after it was due (the bot was down): it says so.
    assert "(Due yesterday 09:00, sent 33 h late.)" in text_of(out[0].reply)

    await storage.workers.update_settings(worker.id, lock_screen="initials")
    action = out[0].reminder
    again = replace(action, id="x" * 32)
    [shown] = await reminders.compose(deps, [again])
    assert isinstance(shown, reminders.Outgoing)
    assert "A follow-up for A. S. is due" in text_of(shown.reply)
    assert "Alex" not in text_of(shown.reply)


async def test_session_reminders_follow_the_settings_when_due(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    deps = Deps(storage, now=clock)
    await save_note(storage, worker, NOW, next_session=datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    await storage.workers.update_settings(worker.id, session_day_before=False)
    clock.now = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert [o.reminder.kind for o in await sent(deps)] == [Kind.SESSION_SOON]


async def test_unfinished_note_nudged_at_two_and_twenty_hours(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
    deps = Deps(storage, now=clock)
    draft = await storage.drafts.start(worker.id, {"engine": {}}, clock.now)
    clock.now += timedelta(hours=1, minutes=59)
    assert await sent(deps) == []
    clock.now += timedelta(minutes=1)
    [first] = await sent(deps)
    assert text_of(first.reply).strip() == "📝 You have an unfinished note started today 14:05."
    assert labels(first.reply) == ["Resume", "Discard"]
    assert data_of(first.reply, "Resume") == f"d|resume|{draft.id[:8]}|1"
    assert first.reply.remember == draft.id  # tidied away with the note
    clock.now += timedelta(hours=10)
    assert await sent(deps) == []  # one first nudge per note
    clock.now = draft.created_at + timedelta(hours=20)
    [second] = await sent(deps)
    assert "The 24-hour mark is near" in text_of(second.reply)
    clock.now += timedelta(days=3)
    assert await sent(deps) == []


async def test_a_touched_draft_waits_and_a_saved_one_is_not_nudged(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    deps = Deps(storage, now=clock)
    draft = await storage.drafts.start(worker.id, {"engine": {}}, NOW)
    clock.now += timedelta(hours=1, minutes=30)
    await storage.drafts.advance(draft.id, worker.id, 1, {"engine": {}}, clock.now)
    clock.now += timedelta(hours=1)
    assert await sent(deps) == []  # only 1 h idle
    clock.now += timedelta(hours=1)
    await reminders.make_due_rows(deps)  # the nudge row is made...
    await storage.drafts.discard(worker.id, draft.id)  # ...then the note is discarded
    claimed = await storage.reminders.claim_due("t", clock.now)
    assert [type(c).__name__ for c in await reminders.compose(deps, claimed)] == ["Skipped"]


async def test_missing_note_question_only_without_a_newer_note(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    deps = Deps(storage, now=clock)
    planned = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    first = await save_note(storage, worker, NOW, next_session=planned)
    clock.now = planned + timedelta(hours=1)
    await sent(deps)  # the day-before and hour-before reminders
    await save_note(
        storage, worker, clock.now, name="Alex Smith", participant_id=first.participant_id
    )
    clock.now = planned + timedelta(hours=3)
    assert await sent(deps) == []  # written up: no question


async def test_digest_counts_without_names(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    deps = Deps(storage, now=clock)
    await save_note(
        storage,
        worker,
        NOW,
        actions=(
            CompletedAction("Call the council", "worker", date(2026, 11, 24)),
            CompletedAction("Send leaflet", "worker", date(2026, 11, 25)),
        ),
    )
    await storage.workers.update_settings(worker.id, digest_minutes=8 * 60)
    await storage.drafts.start(worker.id, {"engine": {}}, NOW)
    assert await sent(deps) == []  # the digest is planned for tomorrow 08:00
    clock.now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    out = [o for o in await sent(deps) if o.reminder.kind == Kind.DIGEST]
    assert len(out) == 1
    text = text_of(out[0].reply)
    assert "2 follow-ups due (1 overdue), 1 unfinished note" in text
    assert "council" not in text and "Alex" not in text
    await reminders.make_due_rows(deps)  # the next sweep plans the next one
    pending = await storage.reminders.pending_for(worker.id, [Kind.DIGEST])
    assert [r.due_at for r in pending] == [datetime(2026, 11, 26, 8, 0, tzinfo=UTC)]


# ---- buttons -------------------------------------------------------------------------------


async def test_done_snooze_tomorrow_and_open(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    turn = turn_for(storage, worker, clock)
    note = await save_note(
        storage,
        worker,
        NOW,
        actions=(CompletedAction("Call the council", "participant", date(2026, 11, 24)),),
    )
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    [out] = await sent(turn.deps)
    rid = out.reminder.id

    opened = await followups.press(turn, f"r|open|{rid}")
    assert opened.edit
    text = text_of(opened.reply)
    assert "Follow-up: Call the council" in text and "Who: the participant" in text
    assert "with Alex Smith" in text
    assert labels(opened.reply) == ["Done", "Snooze 1 h", "Tomorrow"]

    snoozed = await followups.press(turn, f"r|snz|{rid}")
    assert "again today 10:00" in text_of(snoozed.reply)
    twice = await followups.press(turn, f"r|tmw|{rid}")
    assert twice.reply.toast == "Already rescheduled." and not twice.reply.screens
    clock.now += timedelta(hours=1)
    [again] = await sent(turn.deps)
    tomorrow = await followups.press(turn, f"r|tmw|{again.reminder.id}")
    assert "again tomorrow 09:00" in text_of(tomorrow.reply)

    done = await followups.press(turn, f"r|done|{again.reminder.id}")
    assert done.reply.toast == "Marked done."
    assert note.actions[0].id not in {
        a.action.id for a in await storage.agenda.open_actions(worker.id)
    }
    clock.now += timedelta(days=1)
    assert await sent(turn.deps) == []  # the "tomorrow" reminder went with the action


async def test_buttons_of_others_forged_or_stale_do_nothing(storage: Storage) -> None:
    alice, bob = await make_worker(storage, 1), await make_worker(storage, 2)
    clock = Clock()
    await save_note(
        storage,
        alice,
        NOW,
        actions=(CompletedAction("Call the council", "worker", date(2026, 11, 24)),),
    )
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    [out] = await sent(Deps(storage, now=clock))
    rid = out.reminder.id
    as_bob = turn_for(storage, bob, clock)
    for data in (
        f"r|done|{rid}",
        f"r|open|{rid}",
        f"r|x|{rid}",
        "r|done|" + "0" * 32,
        "r|",
        "r|zz|" + rid,
    ):
        pressed = await followups.press(as_bob, data)
        assert pressed.reply.toast == followups.EXPIRED and not pressed.reply.screens
    item = (await storage.agenda.open_actions(alice.id))[0]
    assert (await agenda.complete(as_bob, item.action.id, "l")).toast == agenda.EXPIRED
    assert not (await storage.agenda.action(alice.id, item.action.id)).action.done  # type: ignore[union-attr]


async def test_missing_note_buttons(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    turn = turn_for(storage, worker, clock)
    planned = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    await save_note(storage, worker, NOW, next_session=planned)
    clock.now = planned + timedelta(hours=3)
    question = next(o for o in await sent(turn.deps) if o.reminder.kind == Kind.MISSING_NOTE)
    rid = question.reminder.id
    opened = await followups.press(turn, f"r|open|{rid}")
    assert "Planned session with Alex Smith: today 14:00" in text_of(opened.reply)
    later = await followups.press(turn, f"r|ltr|{rid}")
    assert "I'll ask again today 20:00" in text_of(later.reply)
    write = await followups.press(turn, f"r|wr|{rid}")
    assert not write.edit and isinstance(write.reply.screens[0], Question)
    day = await agenda.today(turn)
    assert "Sessions without a note" in text_of(day) and "A. S." in text_of(day)
    gone = await followups.press(turn, f"r|no|{rid}")
    assert "didn't happen" in text_of(gone.reply)
    assert "Sessions without a note" not in text_of(await agenda.today(turn))
    clock.now += timedelta(hours=3)
    # "Later" was closed too (the note started by "Write it up" is nudged, as any other).
    assert [o.reminder.kind for o in await sent(turn.deps)] == [Kind.DRAFT_IDLE]
    assert (await followups.press(turn, f"r|ltr|{rid}")).reply.toast == followups.EXPIRED


async def test_lists_actions_today_and_coming_up(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
    turn = turn_for(storage, worker, clock)
    await save_note(
        storage,
        worker,
        NOW,
        actions=(
            CompletedAction("Later one", "worker", date(2026, 12, 3)),
            CompletedAction("Undated", "worker", None),
            CompletedAction("Overdue one", "worker", date(2026, 11, 24)),
            CompletedAction("Today's", "worker", date(2026, 11, 26)),
        ),
        next_session=datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
    )
    listed = await agenda.actions(turn)
    lines = text_of(listed).splitlines()
    assert lines[1] == "1. Overdue one · Alex Smith · due Tue 24 Nov (overdue)"
    assert lines[2].startswith("2. Today's") and lines[4].startswith("4. Undated")
    assert labels(listed) == ["✅ 1", "✅ 2", "✅ 3", "✅ 4"]
    after = await agenda.complete(turn, data_of(listed, "✅ 1").split("|")[2], "l")
    assert after.toast == "Marked done." and "Overdue one" not in text_of(after)

    day = await agenda.today(turn)
    assert "Today's" in text_of(day) and "Later one" not in text_of(day)

    coming = await agenda.upcoming(turn)
    assert "Session reminder (day before) · A. S." in text_of(coming)
    first = data_of(coming, "✖ 1")
    cancelled = await followups.press(turn, first)
    assert (
        cancelled.reply.toast == "Cancelled."
        and len(labels(cancelled.reply)) == len(labels(coming)) - 1
    )


async def test_calendar_file_parses_back_with_initials_only(storage: Storage) -> None:
    worker = await make_worker(storage)
    clock = Clock()
    turn = turn_for(storage, worker, clock)
    start = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    note = await save_note(storage, worker, NOW, next_session=start)
    found = await calendar.upcoming_file(turn)
    assert isinstance(found, calendar.CalendarFile) and found.filename.endswith(".ics")
    parsed = icalendar.Calendar.from_ical(found.content)
    [event] = parsed.walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(minutes=45)
    assert str(event["summary"]) == "Peer-support session (A. S.)"
    assert str(event["uid"]) == f"{note.id}@casenotes"
    assert b"Alex" not in found.content and b"Smith" not in found.content
    clock.now = start + timedelta(minutes=1)
    assert isinstance(await calendar.upcoming_file(turn), Reply)  # nothing left to come


async def test_changing_the_morning_moves_pending_reminders_not_snoozed_ones(
    storage: Storage,
) -> None:
    worker = await make_worker(storage)
    deps = Deps(storage, now=Clock())
    await save_note(
        storage,
        worker,
        NOW,
        actions=(CompletedAction("Call", "worker", date(2026, 11, 30)),),
        next_session=datetime(2026, 12, 2, 14, 0, tzinfo=UTC),
    )
    snoozed = replace(
        (await storage.reminders.pending_for(worker.id, [Kind.ACTION]))[0], ref_id="elsewhere"
    )
    await storage.reminders.add(
        worker.id,
        [NewReminder(Kind.ACTION, NOW + timedelta(hours=5), snoozed.ref_id)],
    )
    after = await storage.workers.update_settings(worker.id, morning_minutes=7 * 60 + 30)
    assert await reminders.settings_changed(deps, worker, after) == 2
    dues = {(r.kind, r.due_at) for r in await storage.reminders.pending_for(worker.id)}
    assert (Kind.ACTION, datetime(2026, 11, 30, 7, 30, tzinfo=UTC)) in dues
    assert (Kind.SESSION_DAY, datetime(2026, 12, 1, 7, 30, tzinfo=UTC)) in dues
    assert (Kind.ACTION, NOW + timedelta(hours=5)) in dues


def test_the_reminder_use_cases_import_no_telegram(db_url: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.service.reminders, bot.service.followups, bot.service.agenda,"
        " bot.service.calendar;"
        "bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
