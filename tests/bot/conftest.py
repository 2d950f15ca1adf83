"""Fixtures: the fake Bot API server and the real bot polling it, over a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest

from bot.deps import Deps
from bot.fakeapi import FakeBotApi
from bot.runner import running_bot
from storage.service import Storage
from tests.bot.harness import Person

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def make_bot(api: FakeBotApi) -> Callable[[Storage], AbstractAsyncContextManager[object]]:
    """Start a bot on the given storage (call again to simulate a restart)."""

    def _make(storage: Storage) -> AbstractAsyncContextManager[object]:
        return running_bot(TOKEN, api.base_url, Deps(storage), poll_timeout=1)

    return _make


@pytest.fixture
async def bot(storage: Storage, make_bot) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    async with make_bot(storage) as app:
        yield app


async def invite(storage: Storage, api: FakeBotApi, user_id: int, name: str = "Sam") -> Person:
    """Register a worker the way a real one joins: /start with an invite code."""
    code = (await storage.workers.create_invite()).code
    person = Person(api, user_id, name)
    await person.say(f"/start {code}")
    return person


@pytest.fixture
async def worker(storage: Storage, api: FakeBotApi, bot: object) -> Person:
    return await invite(storage, api, 5001)
