"""A long export is built off the event loop: other workers are answered meanwhile."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.fakeapi import FakeBotApi
from storage.service import Storage
from tests.bot.conftest import START, invite
from tests.bot.harness import Person
from tests.bot.records_seed import seed_note
from tests.bot.test_records import me


async def test_another_worker_is_answered_while_a_record_is_built(
    worker: Person, storage: Storage, api: FakeBotApi
) -> None:
    other = await invite(storage, api, 5002, "Kim")
    wid = await me(storage, worker)
    first = await seed_note(
        storage, wid, START - timedelta(days=200), name="Alex Smith", summary="Long talk " * 300
    )
    for i in range(1, 80):
        await seed_note(
            storage,
            wid,
            START - timedelta(days=200 - 2 * i),
            participant_id=first.participant_id,
            summary="Long talk " * 300,
        )
    api.user_message(worker.user, worker.chat_id or 0, "/export alex pdf", "private")
    await asyncio.sleep(0.3)  # A's record is being read and built
    await other.say("/help")
    await worker.wait_for("Case notes (80 sessions)", within=60)
    calls = api.calls
    helped = next(
        i
        for i, c in enumerate(calls)
        if c.method == "sendMessage"
        and c.params.get("chat_id") == other.chat_id
        and "walks you through a case note" in c.params.get("text", "")
    )
    exported = next(i for i, c in enumerate(calls) if c.method == "sendDocument")
    assert helped < exported
