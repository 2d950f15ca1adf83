"""On-demand figures for the answer path, through the real Application over real HTTP:
chat-scoped Bot API calls per answer over a full note, how long another worker waits while
one chat is flood-limited, and SQL statements and decrypts for one typed answer.

Run: PYTHONPATH=. .venv/bin/python benchmarks/answer_path.py (it reuses the test harness)
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bot.fakeapi import FakeBotApi
from bot.service.deps import Deps
from bot.telegram.runner import running_bot
from storage.crypto import KeyRing
from storage.metrics import QueryCounter
from storage.records import NewParticipant
from storage.service import Storage, open_storage
from tests.bot.conftest import START, TOKEN, FakeClock, invite
from tests.bot.flows import answer_up_to_review

NOT_CHAT_SCOPED = {"answerCallbackQuery", "getMe", "getUpdates", "setMyCommands", "deleteWebhook"}


def chat_calls(api: FakeBotApi, since: int) -> int:
    return sum(1 for c in api.calls[since:] if c.method not in NOT_CHAT_SCOPED)


async def calls_per_answer(storage: Storage, api: FakeBotApi) -> None:
    w = await invite(storage, api, 5001)
    sent, before = len(w.sent), len(api.calls)
    await answer_up_to_review(w)
    await w.tap("Save note")
    calls, answers = chat_calls(api, before), len(w.sent) - sent
    print(f"full note: {calls} chat-scoped calls for {answers} answers = {calls / answers:.2f}")


async def other_worker_wait(storage: Storage, api: FakeBotApi) -> None:
    a = await invite(storage, api, 6001, "A")
    b = await invite(storage, api, 6002, "B")
    api.fail("sendMessage", 429, times=30, retry_after=1, chat_id=a.chat_id)
    api.user_message(a.user, a.chat_id or 0, "/help")
    await asyncio.sleep(0.3)
    seen = len(b.bot_messages())
    t0 = time.monotonic()
    api.user_message(b.user, b.chat_id or 0, "/help")
    while len(b.bot_messages()) == seen:  # noqa: ASYNC110 - polling the fake server's record
        await asyncio.sleep(0.005)
    waited = time.monotonic() - t0
    attempts = sum(1 for c in api.calls_for(a.chat_id or 0) if c.method == "sendMessage")
    print(f"B waited {waited * 1000:.0f} ms while A's chat was flood-limited")
    await asyncio.sleep(25)
    attempts = sum(1 for c in api.calls_for(a.chat_id or 0) if c.method == "sendMessage")
    print(f"A: {attempts} send attempts before giving up (retry budget 20 s)")


async def statements_for_typed_time(storage: Storage, api: FakeBotApi) -> None:
    w = await invite(storage, api, 7001)
    wid = (await storage.workers.by_telegram_id(7001)).id  # type: ignore[union-attr]
    for i in range(8):
        await storage.participants.add(wid, NewParticipant(f"Person {i}", 30 + i, "they/them"))
    await w.say("/new")
    await w.tap("Yesterday")
    with QueryCounter(storage) as counter:
        await w.say("3pm")
    print(f"typed '3pm': {counter.statements} SQL statements, {counter.decrypts} decrypts")


async def run(case: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        storage = await open_storage(
            f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", ring=KeyRing.generate()
        )
        api = FakeBotApi()
        await api.start()
        try:
            async with running_bot(TOKEN, api.base_url, Deps(storage, now=FakeClock(START))):
                await case(storage, api)  # type: ignore[operator]
        finally:
            await api.stop()
            await storage.close()


async def main() -> None:
    for case in (calls_per_answer, statements_for_typed_time, other_worker_wait):
        await run(case)


if __name__ == "__main__":
    asyncio.run(main())
