"""Only invited workers, only in private chats, only their own participants."""

from __future__ import annotations

from datetime import timedelta

from bot.fakeapi import FakeBotApi
from storage.service import Storage
from tests.bot.conftest import START, invite
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person, texts, toasts

REFUSAL = "Sorry, this is a private service."


async def test_stranger_gets_one_polite_line_and_nothing_else(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    stranger = Person(api, 666, "Eve")
    calls = await stranger.say("/start")
    assert texts(calls) == [REFUSAL]
    assert [c.method for c in calls] == ["sendMessage"]
    # Then silence for a while: 30 more messages and a button cost no sends at all.
    before = len(api.calls)
    for i in range(30):
        api.user_message(
            stranger.user, 666, ("/new", "/last Alex", "hello", f"/start x{i}")[i % 4]
        )
    calls = await stranger.press(1, "l|" + "0" * 32)
    assert [c.method for c in api.calls[before:]] == ["answerCallbackQuery"]
    assert toasts(calls) == [""]
    assert await storage.workers.by_telegram_id(666) is None
    # Another stranger still gets their one line.
    assert texts(await Person(api, 667, "Mal").say("hello")) == [REFUSAL]


async def test_expired_or_used_invite_is_refused(
    storage: Storage, api: FakeBotApi, bot: object
) -> None:
    old = await storage.workers.create_invite(now=START - timedelta(hours=73))
    late = Person(api, 777, "Late")
    assert texts(await late.say(f"/start {old.code}")) == [REFUSAL]
    fresh = await storage.workers.create_invite(now=START)
    first = Person(api, 778, "First")
    await first.say(f"/start {fresh.code}")
    assert "Hello" in first.last().text
    second = Person(api, 779, "Second")
    assert texts(await second.say(f"/start {fresh.code}")) == [REFUSAL]
    assert await storage.workers.by_telegram_id(777) is None
    assert await storage.workers.by_telegram_id(779) is None


async def test_removed_worker_loses_access_at_once(storage: Storage, worker: Person) -> None:
    await worker.say("/new")
    record = await storage.workers.by_telegram_id(worker.user_id)
    assert record is not None
    await storage.workers.deactivate(record.id)
    assert texts(await worker.say("today")) == [REFUSAL]


async def test_group_chat_is_refused(storage: Storage, api: FakeBotApi, worker: Person) -> None:
    in_group = Person(api, worker.user_id, "Sam", chat_id=-1001, chat_type="group")
    calls = await in_group.say("/new")
    assert texts(calls) == [
        "I only take notes in a private chat with you. Nothing here was recorded."
    ]
    record = await storage.workers.by_telegram_id(worker.user_id)
    assert record is not None and await storage.drafts.get(record.id) is None
    stranger_in_group = Person(api, 4242, "Eve", chat_id=-1001, chat_type="group")
    assert texts(await stranger_in_group.say("/last Alex")) == [REFUSAL]


async def test_workers_cannot_reach_each_others_participants(
    storage: Storage, api: FakeBotApi, worker: Person
) -> None:
    await answer_up_to_review(worker, name="Alex")
    await worker.tap("💾 Save note")
    a = await storage.workers.by_telegram_id(worker.user_id)
    assert a is not None
    alex = (await storage.participants.find_by_name(a.id, "Alex"))[0]
    other = await invite(storage, api, 6002, "Kim")
    calls = await other.say("/last Alex")
    assert texts(calls) == ["I can't find anyone called Alex among your participants."]
    calls = await other.press(other.last().message_id, f"l|{alex.id}")
    assert toasts(calls) == ["That button has expired."]
    assert not any("Talked it through" in m.text for m in other.bot_messages())
    # Typing the same name in a note finds nobody of A's: Kim's Alex is someone new.
    await other.say("/new")
    await other.tap("Today")
    await other.say("2pm")
    await other.tap("30 min")
    await other.tap("Phone")
    await other.tap("Skip")
    assert "Who was the session with" in other.last().text
    assert not any("Alex" in label for label in other.keyboard())
    await other.say("Alex")
    assert "Their age" in other.last().text
    # A forged button (an old-style note button naming A's participant) changes nothing.
    calls = await other.press(other.last().message_id, f"n|abcdefgh|5|p:{alex.id}")
    assert toasts(calls) == ["That button has expired."]
    assert "Their age" in other.last().text
