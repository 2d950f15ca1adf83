"""Restarts, rate limits and server errors lose nothing; tidy-up removes exactly one note."""

from __future__ import annotations

from bot.fakeapi import FakeBotApi
from storage.crypto import KeyRing
from storage.service import Storage, open_storage
from tests.bot.conftest import invite
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person, texts


async def test_restart_mid_note_continues_where_the_worker_was(
    storage: Storage,
    api: FakeBotApi,
    make_bot,
    db_url: str,
    ring: KeyRing,  # type: ignore[no-untyped-def]
) -> None:
    async with make_bot(storage):
        w = await invite(storage, api, 5101)
        await w.say("/new")
        await w.tap("Yesterday")
        await w.say("3pm")
        await w.tap("45 min")
        assert "What kind of session" in w.last().text
    # A new process: new storage objects on the same database, a new Application.
    fresh = await open_storage(db_url, ring=ring)
    try:
        async with make_bot(fresh):
            await w.tap("Video")
            assert "Where was it" in w.last().text
            await w.tap("Skip")
            await w.say("Alex")
            me = await fresh.workers.by_telegram_id(w.user_id)
            assert me is not None
            draft = await fresh.drafts.get(me.id)
            assert draft is not None
            answers = draft.state["engine"]["answers"]
            assert answers["date"] == "2026-11-22" and answers["duration"] == 45
            assert answers["session_type"] == "video"
            await w.tap("Skip")  # age and pronouns: one question
            await w.tap("No")
            await w.tap("💾 Save note")
            assert w.last().text.startswith("✅ Saved: A. · Sun 22 Nov · 45 min")
            assert await fresh.notes.count(me.id) == 1
    finally:
        await fresh.close()


async def test_rate_limits_delay_but_lose_nothing(
    storage: Storage, api: FakeBotApi, worker: Person
) -> None:
    api.fail("sendMessage", status=429, times=2, retry_after=1)
    before = len(api.calls)
    await worker.say("/new")
    await worker.wait_for("When was the session")
    sends = [c for c in api.calls[before:] if c.method == "sendMessage"]
    assert len(sends) == 3  # two refused with 429, then delivered
    assert sends[-1].at - sends[0].at >= 1.5  # the bot waited as told
    api.fail("sendMessage", status=502, times=1)
    await worker.tap("Today")
    await worker.wait_for("What time did it start")
    assert len([m for m in worker.bot_messages() if "What time did it start" in m.text]) == 1


async def test_slow_replies_delay_but_lose_nothing(api: FakeBotApi, worker: Person) -> None:
    api.fail("sendMessage", status=200, times=1, delay=1.5)
    await worker.say("/new")
    await worker.wait_for("When was the session")
    await worker.tap("Today")
    assert "What time did it start" in worker.last().text


async def test_tidy_up_deletes_exactly_that_notes_messages(worker: Person) -> None:
    await worker.say("/help")
    help_message = worker.last()
    await answer_up_to_review(worker)
    note_messages = [
        m
        for m in worker.api.visible(worker.chat_id or 0)
        if m.message_id > help_message.message_id
    ]
    assert len(note_messages) > 30
    await worker.tap("💾 Save note")
    visible = worker.api.visible(worker.chat_id or 0)
    assert help_message in visible
    assert [m for m in visible if m.message_id > help_message.message_id] == [worker.last()]
    assert all(m.deleted for m in note_messages)


async def test_tidy_up_can_be_turned_off(worker: Person) -> None:
    await worker.say("/settings")
    await worker.tap("Turn tidy-up off")
    assert "tidy-up after saving: off" in worker.last().text
    await answer_up_to_review(worker)
    await worker.tap("💾 Save note")
    visible = worker.api.visible(worker.chat_id or 0)
    assert len(visible) > 30
    assert not [m for m in visible if m.from_bot and m.buttons and "Question" in m.text]


async def test_free_text_after_a_pause_is_kept_and_used_on_resume(
    worker: Person, clock, storage: Storage
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    await worker.say("/new")
    await worker.tap("Today")
    clock.advance(timedelta(hours=3))
    calls = await worker.say("2pm")
    assert "I've kept your message" in texts(calls)[0]
    await worker.tap("Resume it")
    # The kept message answered the question the note was on.
    assert "How long was it" in worker.last().text
    wid = (await storage.workers.list())[0].id
    draft = await storage.drafts.get(wid)
    assert draft is not None and draft.state["engine"]["answers"]["start_time"] == "14:00"
