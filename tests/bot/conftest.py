"""Fixtures: the fake Bot API server and the real bot polling it, over a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.fakeapi import FakeBotApi
from bot.service.deps import Deps
from bot.telegram.runner import running_bot
from storage.service import Storage
from tests.bot.harness import Person

TOKEN = "123456:TEST-TOKEN"
#: Monday 23 Nov 2026, 15:00 in London: tests never depend on the real time of day.
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(params=["sqlite"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Bot scenarios run on SQLite; test_backends.py repeats the key ones on PostgreSQL."""
    yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def make_bot(
    api: FakeBotApi, clock: FakeClock
) -> Callable[[Storage], AbstractAsyncContextManager[object]]:
    """Start a bot on the given storage (call again to simulate a restart)."""

    def _make(storage: Storage) -> AbstractAsyncContextManager[object]:
        return running_bot(TOKEN, api.base_url, Deps(storage, now=clock), poll_timeout=1)

    return _make


@pytest.fixture
async def bot(storage: Storage, make_bot) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    async with make_bot(storage) as app:
        yield app


async def invite(storage: Storage, api: FakeBotApi, user_id: int, name: str = "Sam") -> Person:
    """Register a worker the way a real one joins: /start with an invite code."""
    code = (await storage.workers.create_invite(now=START)).code
    person = Person(api, user_id, name)
    await person.say(f"/start {code}")
    return person


@pytest.fixture
async def worker(storage: Storage, api: FakeBotApi, bot: object) -> Person:
    return await invite(storage, api, 5001)
