"""Reminders through the real bot: the sweep sends over HTTP to the fake Bot API, buttons are
pressed as on a phone, the clock is moved by the test."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import icalendar
from sqlalchemy import update

from bot.fakeapi import BotMessage, FakeBotApi
from bot.service import policy
from bot.service.saving import to_new_note
from bot.telegram import reminding
from conversations.completion import CompletedAction, FinishedNote
from conversations.template import get_template
from storage.models import Worker
from storage.records import Kind, NewReminder, NoteRecord, WorkerRecord
from storage.service import Storage
from tests.bot.conftest import FakeClock, invite
from tests.bot.harness import Person, texts, toasts


async def worker_of(storage: Storage, person: Person, tz: str | None = None) -> WorkerRecord:
    found = await storage.workers.by_telegram_id(person.user_id)
    assert found is not None
    if tz is not None:
        found = await storage.workers.update_settings(found.id, timezone=tz)
    return found


async def save_note(
    storage: Storage,
    worker: WorkerRecord,
    now: datetime,
    *,
    name: str = "Alex Smith",
    actions: tuple[CompletedAction, ...] = (),
    next_session: datetime | None = None,
) -> NoteRecord:
    """Save a note the way the capture use case does, without answering every question."""
    finished = FinishedNote(
        "peer_support",
        1,
        {},
        False,
        now - timedelta(hours=1),
        45,
        {"id": None, "name": name},
        actions,
        next_session,
    )
    new = to_new_note(
        worker, finished, get_template("peer_support"), draft_id="", draft_seq=0, now=now
    )
    return await storage.notes.save(replace(new, draft_id=None, draft_seq=None), now)


async def sweep(app: object) -> reminding.SweepReport:
    return await reminding.sweep(app)  # type: ignore[arg-type]


def reminders_in(person: Person) -> list[BotMessage]:
    """The bot's messages in the chat that carry reminder buttons."""
    return [
        m
        for m in person.bot_messages()
        if any(d.startswith("r|") and not d.startswith("r|x|") for _, d in m.buttons)
    ]


async def press(person: Person, message: BotMessage, label: str) -> list[object]:
    data = next(d for lbl, d in message.buttons if lbl == label)
    assert len(data.encode()) <= 64
    return await person.press(message.message_id, data)  # type: ignore[return-value]


async def test_an_action_is_reminded_at_nine_and_its_buttons_work(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    me = await worker_of(storage, worker)
    due = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Mon 30 Nov, 09:00 in London
    await save_note(
        storage,
        me,
        clock.now,
        actions=(CompletedAction("Call the council", "participant", due.date()),),
    )
    clock.now = due - timedelta(seconds=1)
    await sweep(bot)
    assert reminders_in(worker) == []
    clock.now = due
    await sweep(bot)
    [msg] = reminders_in(worker)
    assert msg.plain == "⏰ A follow-up is due. Tap Open to see it."
    assert [label for label, _ in msg.buttons] == ["Done", "Snooze 1 h", "Tomorrow", "Open"]
    assert "Alex" not in msg.text and "council" not in msg.text

    sends = len([c for c in api.calls if c.method == "sendMessage"])
    await press(worker, msg, "Open")
    opened = api.find(worker.chat_id or 0, msg.message_id)
    assert opened is not None and "Call the council" in opened.plain
    assert "with Alex Smith" in opened.plain  # details only after the tap, in place
    assert len([c for c in api.calls if c.method == "sendMessage"]) == sends

    calls = await press(worker, opened, "Snooze 1 h")
    assert "Rescheduled." in toasts(calls)  # type: ignore[arg-type]
    assert "again today 10:00" in (api.find(worker.chat_id or 0, msg.message_id) or msg).plain
    clock.now = due + timedelta(hours=1)
    await sweep(bot)
    again = reminders_in(worker)[-1]
    assert again.message_id != msg.message_id

    calls = await press(worker, again, "Done")
    assert "Marked done." in toasts(calls)  # type: ignore[arg-type]
    assert (api.find(worker.chat_id or 0, again.message_id) or again).buttons == []
    await worker.say("/actions")
    assert "No open follow-ups" in worker.last().plain


async def test_tomorrow_and_stale_or_forged_buttons(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    me = await worker_of(storage, worker)
    other = await invite(storage, api, 5002, "Kim")
    due = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    await save_note(
        storage, me, clock.now, actions=(CompletedAction("Send leaflet", "worker", due.date()),)
    )
    clock.now = due
    await sweep(bot)
    [msg] = reminders_in(worker)
    rid = msg.buttons[0][1].split("|")[2]
    await press(worker, msg, "Tomorrow")
    assert "again tomorrow 09:00" in (api.find(worker.chat_id or 0, msg.message_id) or msg).plain
    [pending] = await storage.reminders.pending_for(me.id)
    assert pending.due_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    for data in (f"r|done|{pending.id}", "r|done|" + "f" * 32, "r|open|x"):
        calls = await other.press(msg.message_id, data)
        assert toasts(calls) == ["That button has expired."]  # type: ignore[arg-type]
    calls = await worker.press(msg.message_id, f"r|snz|{rid}")
    assert toasts(calls) == ["Already rescheduled."]  # type: ignore[arg-type]
    assert len(await storage.reminders.pending_for(me.id)) == 1


async def test_two_timezones_across_daylight_saving(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock
) -> None:
    sydney = await invite(storage, api, 6001, "Syd")
    york = await invite(storage, api, 6002, "Ny")
    s = await worker_of(storage, sydney, "Australia/Sydney")
    y = await worker_of(storage, york, "America/New_York")
    clock.now = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)
    # Sydney's clocks go forward on Sun 4 Oct: 09:00 Mon 5 Oct is 22:00Z on Sun 4 Oct.
    await save_note(
        storage, s, clock.now, actions=(CompletedAction("Call", "worker", date(2026, 10, 5)),)
    )
    # New York's go back on Sun 1 Nov: a 10:00 session on Mon 2 Nov is 15:00Z, the day-before
    # reminder is 09:00 EST on Sun 1 Nov (14:00Z), not 13:00Z as it would have been a day earlier.
    session = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    await save_note(storage, y, clock.now, next_session=session)
    expected = [
        (sydney, datetime(2026, 10, 4, 22, 0, tzinfo=UTC), "follow-up is due"),
        (york, datetime(2026, 11, 1, 14, 0, tzinfo=UTC), "session tomorrow at 10:00"),
        (york, datetime(2026, 11, 2, 14, 0, tzinfo=UTC), "session today at 10:00, in an hour"),
    ]
    for person, at, words in expected:
        before = len(reminders_in(person))
        clock.now = at - timedelta(minutes=1)
        await sweep(bot)
        assert len(reminders_in(person)) == before
        clock.now = at
        await sweep(bot)
        assert len(reminders_in(person)) == before + 1
        assert words in reminders_in(person)[-1].plain


async def test_unfinished_note_nudges_and_discarding_clears_them(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    await worker.say("/new")
    started = clock.now
    clock.advance(timedelta(hours=2))
    await sweep(bot)
    nudge = reminders_in(worker)[-1]
    assert nudge.plain == "📝 You have an unfinished note started today 15:00."
    assert [label for label, _ in nudge.buttons] == ["Resume", "Discard"]
    clock.now = started + timedelta(hours=19)
    await sweep(bot)
    assert reminders_in(worker)[-1].message_id == nudge.message_id  # no repeat
    clock.now = started + timedelta(hours=20)
    await sweep(bot)
    late = reminders_in(worker)[-1]
    assert "The 24-hour mark is near" in late.plain

    discard = dict(late.buttons)["Discard"]
    await press(worker, late, "Resume")
    assert worker.keyboard()  # the question is back, with its options
    clock.advance(timedelta(hours=3))
    await worker.press(late.message_id, discard)  # asks first, in place of the nudge
    assert "Discard this note?" in (api.find(worker.chat_id or 0, late.message_id) or late).plain
    await worker.tap("Yes, discard it")
    assert await storage.drafts.get((await worker_of(storage, worker)).id) is None
    # Tidy-up removed the nudges along with the note's other messages.
    assert api.find(worker.chat_id or 0, nudge.message_id).deleted  # type: ignore[union-attr]
    clock.advance(timedelta(days=2))
    await sweep(bot)
    assert not [m for m in reminders_in(worker) if "unfinished" in m.plain]


async def test_missing_note_question_and_calendar_file(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    me = await worker_of(storage, worker)
    session = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    await save_note(storage, me, clock.now, next_session=session)
    clock.now = session - timedelta(hours=1)
    await sweep(bot)
    soon = reminders_in(worker)[-1]
    assert soon.plain == "📅 You have a session today at 14:00, in an hour."
    calls = await press(worker, soon, "Add to calendar")
    [doc] = [c for c in calls if c.method == "sendDocument"]  # type: ignore[attr-defined]
    sent = doc.params["document"]
    assert sent["filename"] == "sessions.ics"
    [event] = icalendar.Calendar.from_ical(sent["content"]).walk("VEVENT")
    assert event.decoded("dtstart") == session
    assert str(event["summary"]) == "Peer-support session (A. S.)"
    assert b"Alex" not in sent["content"]

    clock.now = session + timedelta(hours=3)
    await sweep(bot)
    question = reminders_in(worker)[-1]
    assert question.plain == "📝 Did your 14:00 session happen? No note has been saved for it yet."
    await press(worker, question, "Later")
    clock.advance(timedelta(hours=3))
    await sweep(bot)
    asked_again = reminders_in(worker)[-1]
    assert asked_again.message_id != question.message_id
    await press(worker, asked_again, "It didn't happen")
    assert (
        "didn't happen"
        in (api.find(worker.chat_id or 0, asked_again.message_id) or question).plain
    )
    await worker.say("/today")
    assert "Sessions without a note" not in worker.last().plain


async def test_restart_sends_what_was_missed_and_keeps_the_rest(
    storage: Storage, api: FakeBotApi, make_bot, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    async with make_bot(storage):
        person = await invite(storage, api, 5001)
    me = await worker_of(storage, person)
    # While the bot is down: the digest falls due, a reminder is claimed by an instance that
    # then dies, and one is still in the future.
    await storage.workers.update_settings(me.id, digest_minutes=12 * 60)
    await storage.reminders.add(me.id, [NewReminder(Kind.DIGEST, clock.now - timedelta(hours=3))])
    soon = clock.now + timedelta(hours=1)
    claimed = NewReminder(Kind.SESSION_SOON, clock.now - timedelta(minutes=1), subject_at=soon)
    await storage.reminders.add(me.id, [claimed])
    assert len(await storage.reminders.claim_due("dead-instance", clock.now)) == 2
    await storage.reminders.release(
        (await storage.reminders.pending_for(me.id, [Kind.DIGEST]))[0].id,
        "dead-instance",
        clock.now,
        None,
    )
    future = NewReminder(Kind.SESSION_SOON, clock.now + timedelta(days=1), subject_at=soon)
    await storage.reminders.add(me.id, [future])
    await save_note(
        storage, me, clock.now, actions=(CompletedAction("Call", "worker", date(2026, 11, 23)),)
    )
    async with make_bot(storage) as app:
        await person.wait_for("late")  # the start-up sweep, with nothing pressed
        await sweep(app)
        # The missed digest, and the action due today (its 09:00 had passed: sent at once).
        missed, action = sorted((m.plain for m in reminders_in(person)), key=len, reverse=True)
        assert missed.endswith("(Due today 12:00, sent 3 h late.)")
        assert action.startswith("⏰ A follow-up is due")
        clock.advance(timedelta(minutes=4))
        await sweep(app)
        assert len(reminders_in(person)) == 2  # the claimed one waits out its lease
        clock.advance(timedelta(minutes=1))
        await sweep(app)
        assert len(reminders_in(person)) == 3
        clock.advance(timedelta(days=1))
        await sweep(app)
        assert len(reminders_in(person)) == 5  # the future one, and today's digest
    sends = [c for c in api.calls_for(person.chat_id or 0) if c.method == "sendMessage"]
    ids = [
        b["callback_data"]
        for c in sends
        for row in (c.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
        if b["callback_data"].startswith("r|open|")
    ]
    assert len(ids) == len(set(ids))


async def test_blocked_worker_reminders_wait_until_they_are_back_and_429_is_retried(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock
) -> None:
    blocked = await invite(storage, api, 7001, "Blocked")
    busy = await invite(storage, api, 7002, "Busy")
    b = await worker_of(storage, blocked)
    u = await worker_of(storage, busy)
    soon = clock.now + timedelta(hours=1)
    # Faults first: the bot's own sweep job may run as soon as the rows exist.
    api.block(blocked.chat_id or 0)
    # A flood limit longer than the retry budget: given back, tried again later, sent once.
    api.fail("sendMessage", 429, times=1, retry_after=60, chat_id=busy.chat_id)
    for w in (b, u):
        rows = [NewReminder(Kind.SESSION_SOON, clock.now, subject_at=soon)] * 2
        rows.append(NewReminder(Kind.SESSION_SOON, clock.now + timedelta(days=1), subject_at=soon))
        await storage.reminders.add(w.id, rows)
    await sweep(bot)
    assert len(await storage.reminders.pending_for(b.id)) == 3  # 403: held, not cancelled
    assert len(reminders_in(busy)) == 1
    [waiting] = [r for r in await storage.reminders.pending_for(u.id) if r.due_at == clock.now]
    assert waiting.attempts == 1
    clock.advance(timedelta(seconds=59))
    await sweep(bot)
    assert len(reminders_in(busy)) == 1
    clock.advance(timedelta(seconds=1))
    await sweep(bot)
    assert len(reminders_in(busy)) == 2
    blocked_sends = [
        c
        for c in api.calls_for(blocked.chat_id or 0)
        if c.method == "sendMessage" and "r|" in str(c.params.get("reply_markup"))
    ]
    assert len(blocked_sends) == 1  # tried once, not again while blocked
    # Any update from them (not only a note or a setting) shows they are back.
    api.unblock(blocked.chat_id or 0)
    await blocked.say("/help")
    await sweep(bot)
    assert len(reminders_in(blocked)) == 2  # the two due ones; tomorrow's waits
    # A short flood limit is waited out within the call: one reminder, sent once.
    await storage.reminders.add(u.id, [NewReminder(Kind.SESSION_SOON, clock.now, subject_at=soon)])
    api.fail("sendMessage", 429, times=1, retry_after=1, chat_id=busy.chat_id)
    await sweep(bot)
    assert len(reminders_in(busy)) == 3


async def test_initials_on_the_lock_screen_when_chosen(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    await worker.say("/settings")
    await worker.tap("Lock screen: show initials")
    assert "Reminders on the lock screen: initials" in worker.last().plain
    me = await worker_of(storage, worker)
    session = clock.now + timedelta(hours=2)
    await save_note(storage, me, clock.now, next_session=session)
    clock.now = session - timedelta(hours=1)
    await sweep(bot)
    assert reminders_in(worker)[-1].plain == (
        "📅 You have a session with A. S. today at 17:00, in an hour."
    )


async def test_lists_and_digest(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    me = await worker_of(storage, worker)
    await save_note(
        storage,
        me,
        clock.now,
        actions=(
            CompletedAction("Call the council", "worker", date(2026, 11, 23)),
            CompletedAction("Send <leaflet> & map", "worker", date(2026, 11, 20)),
        ),
        next_session=datetime(2026, 11, 27, 14, 0, tzinfo=UTC),
    )
    # The overdue follow-up is reminded at the next sweep; the bot's own sweep job runs 0.5 s
    # after start, so sweep now, or its reminder may land after the /actions reply.
    await sweep(bot)
    calls = await worker.say("/actions")
    listing = worker.last()
    assert "1. Send <leaflet> & map · Alex Smith · due Fri 20 Nov (overdue)" in listing.plain
    assert "&lt;leaflet&gt;" in texts(calls)[0]  # type: ignore[arg-type]
    await press(worker, listing, "✅ 1")
    assert (
        "Send <leaflet>"
        not in (api.find(worker.chat_id or 0, listing.message_id) or listing).plain
    )

    await worker.say("/reminders")
    coming = worker.last()
    assert "Session reminder (day before) · A. S." in coming.plain
    before = len(coming.buttons)
    await press(worker, coming, "✖ 1")
    assert len((api.find(worker.chat_id or 0, coming.message_id) or coming).buttons) == before - 1

    await worker.say("/settings")
    await worker.tap("Daily digest")
    await worker.tap("08:00")
    assert "Daily digest: 08:00" in worker.last().plain
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    await sweep(bot)
    digest = reminders_in(worker)[-1]
    assert digest.plain.startswith("☀️ Your day: 1 follow-up due (1 overdue).")
    assert "council" not in digest.plain
    await press(worker, digest, "Open")
    shown = api.find(worker.chat_id or 0, digest.message_id) or digest
    assert "Call the council · Alex Smith" in shown.plain


async def test_help_and_command_menu_list_the_reminder_commands(
    api: FakeBotApi, bot: object
) -> None:
    [menu] = [c for c in api.calls if c.method == "setMyCommands"]
    names = {c["command"] for c in menu.params["commands"]}
    assert {"today", "actions", "reminders", "calendar"} <= names


def test_saved_card_shows_the_next_session_and_why_a_note_is_late() -> None:
    from bot.service.replies import LastSession, SavedCard
    from bot.telegram.render import last_session_blocks, saved_card

    session = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    saved = session + timedelta(hours=31)
    answers = {"next_date": "2026-12-01", "next_time": "14:00"}
    note = NoteRecord(
        "n",
        "p",
        1,
        session,
        60,
        "peer_support",
        1,
        {"answers": answers},
        "complete",
        saved,
        saved,
        True,
    )
    card = saved_card(SavedCard(note, "Alex Smith", "Europe/London"))
    assert card == (
        "✅ Saved: A. S. · Sat 21 Nov · 1h · 0 actions · late: written 30 h after the session\n"
        "📅 Next session Tue 1 Dec, 14:00: /calendar"
    )
    on_time = replace(note, late=False, content={"answers": {}})
    assert saved_card(SavedCard(on_time, "Alex", "Europe/London")).endswith("0 actions")
    head = last_session_blocks(LastSession("Alex Smith", note, None, (), "Europe/London", saved))[
        0
    ]
    assert "Late: written 30 h after the session." in head


async def test_one_reminder_that_cannot_be_composed_does_not_hold_up_its_batch(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock
) -> None:
    no_background_sweeps(bot)
    broken = await invite(storage, api, 7101, "Broken")
    fine = await invite(storage, api, 7102, "Fine")
    b, f = await worker_of(storage, broken), await worker_of(storage, fine)
    soon = clock.now + timedelta(hours=1)
    for w in (b, f):
        await storage.reminders.add(
            w.id, [NewReminder(Kind.SESSION_SOON, clock.now, subject_at=soon)]
        )
    async with storage.sessions.begin() as s:  # a zone that no longer exists
        await s.execute(update(Worker).where(Worker.id == b.id).values(timezone="Nowhere/Gone"))
    report = await sweep(bot)
    assert report.sent == 1 and report.retried == 1
    assert len(reminders_in(fine)) == 1
    [held] = await storage.reminders.pending_for(b.id)
    assert held.claimed_by is None  # given back, to be tried again later, not held
    assert reminders_in(broken) == []


async def calls_to(api: FakeBotApi, chat_id: int, n: int) -> None:
    """Wait until the fake server has had ``n`` reminder sends for the chat."""
    for _ in range(500):
        if len(reminder_sends(api, chat_id)) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the send never reached the server")


def no_background_sweeps(app: object) -> None:
    """Only the test's own sweeps run (the job's would race with what the test times)."""
    for job in app.job_queue.jobs():  # type: ignore[attr-defined]
        job.enabled = False


def reminder_sends(api: FakeBotApi, chat_id: int) -> list[object]:
    return [
        c
        for c in api.calls_for(chat_id)
        if c.method == "sendMessage" and "r|" in str(c.params.get("reply_markup"))
    ]


async def test_a_sweep_stopped_mid_send_never_sends_that_reminder_twice(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    me = await worker_of(storage, worker)
    soon = clock.now + timedelta(hours=1)
    await storage.reminders.add(
        me.id, [NewReminder(Kind.SESSION_SOON, clock.now, subject_at=soon)]
    )
    api.fail("sendMessage", 200, delay=3.0, chat_id=worker.chat_id)  # slow: still in flight
    running = asyncio.create_task(sweep(bot))
    await calls_to(api, worker.chat_id or 0, 1)
    running.cancel()  # shutdown while the Bot API call is under way
    with contextlib.suppress(asyncio.CancelledError):
        await running
    clock.advance(timedelta(minutes=10))  # well past the claim's lease
    await sweep(bot)
    assert len(reminder_sends(api, worker.chat_id or 0)) == 1


async def test_a_reminder_cancelled_after_its_claim_is_not_sent(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    no_background_sweeps(bot)
    me = await worker_of(storage, worker)
    soon = clock.now + timedelta(hours=1)
    rows = [
        NewReminder(Kind.SESSION_SOON, clock.now - timedelta(minutes=1), subject_at=soon),
        NewReminder(Kind.SESSION_SOON, clock.now, subject_at=soon),
    ]
    await storage.reminders.add(me.id, rows)
    _, second = await storage.reminders.pending_for(me.id)
    running = asyncio.create_task(sweep(bot))  # both claimed; one a second per chat
    await calls_to(api, worker.chat_id or 0, 1)
    assert await storage.reminders.cancel(me.id, second.id)  # e.g. 'It didn't happen'
    report = await running
    assert report.sent == 1 and len(reminder_sends(api, worker.chat_id or 0)) == 1


async def test_actions_due_today_after_the_morning_or_overdue_are_still_reminded(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock, worker: Person
) -> None:
    me = await worker_of(storage, worker, "Europe/London")  # 15:00 there: 09:00 has passed
    today = policy.local_day(clock.now, me.timezone)
    actions = (
        CompletedAction("Call the council", "worker", today),
        CompletedAction("Send leaflet", "worker", today - timedelta(days=2)),
    )
    await save_note(storage, me, clock.now, actions=actions)
    await sweep(bot)
    assert len(reminders_in(worker)) == 2


async def test_sends_start_early_in_the_claims_lease_and_later_ones_wait(
    storage: Storage, api: FakeBotApi, bot: object, clock: FakeClock
) -> None:
    no_background_sweeps(bot)
    app = bot
    config = reminding.ReminderConfig(per_second=5.0, lease=timedelta(seconds=2), chat_gap=0)
    app.bot_data["sweeper"] = reminding.Sweeper(app.bot, app.bot_data["deps"], config)  # type: ignore[attr-defined]
    people = [await invite(storage, api, 7300 + i, f"P{i}") for i in range(5)]
    soon = clock.now + timedelta(hours=1)
    for p in people:
        w = await worker_of(storage, p)
        await storage.reminders.add(
            w.id, [NewReminder(Kind.SESSION_SOON, clock.now, subject_at=soon)]
        )
    # Another instance has the shared pace booked ahead: the slots start 0.6 s from now.
    await storage.reminders.reserve_slots(3, 5.0, time.time())
    report = await sweep(app)
    assert 0 < report.sent < 5  # slots past half the lease are given back, not sent late
    for p in people:
        w = await worker_of(storage, p)
        assert all(
            r.claimed_by is None and r.attempts == 0
            for r in await storage.reminders.pending_for(w.id)
        )
    for _ in range(10):
        if all(reminders_in(p) for p in people):
            break
        await sweep(app)
    assert [len(reminders_in(p)) for p in people] == [1] * 5
