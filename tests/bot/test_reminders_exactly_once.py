"""Two Applications on one PostgreSQL deliver 1,000 reminders: each is sent exactly once.

Both run the sweep at the same time against one fake Bot API (the sweep needs no polling);
the fake server's sendMessage calls are counted per reminder.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from bot.fakeapi import FakeBotApi
from bot.service.deps import Deps
from bot.telegram import reminding
from bot.telegram.app import build_application
from storage.crypto import KeyRing
from storage.models import Reminder, Worker
from storage.records import Kind, NewReminder
from storage.service import open_storage
from tests.bot.conftest import START, TOKEN, FakeClock
from tests.conftest import _create_pg_database, _drop_pg_database, _postgres_url

WORKERS, EACH = 250, 4


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    admin = _postgres_url()
    if not admin:
        pytest.skip("PostgreSQL not configured (CASENOTES_TEST_POSTGRES_URL unset)")
    url = await _create_pg_database(admin)
    try:
        yield url
    finally:
        await _drop_pg_database(admin, url)


async def test_two_instances_send_each_of_1000_reminders_once(
    pg_url: str, api: FakeBotApi
) -> None:
    ring = KeyRing.generate()
    clock = FakeClock(START)
    first, second = await open_storage(pg_url, ring=ring), await open_storage(pg_url, ring=ring)
    try:
        async with first.sessions.begin() as s:
            await s.execute(
                insert(Worker),
                [
                    {
                        "telegram_user_id": 100_000 + i,
                        "role": "worker",
                        "timezone": "Europe/London",
                        "date_order": "DMY",
                        "tidy_chat": True,
                        "active": True,
                        "created_at": START,
                    }
                    for i in range(WORKERS)
                ],
            )
            ids = list(await s.scalars(select(Worker.id)))
        soon = START + timedelta(hours=1)
        for n, wid in enumerate(ids):
            rows = [
                NewReminder(Kind.SESSION_SOON, START - timedelta(seconds=n + k), subject_at=soon)
                for k in range(EACH)
            ]
            await first.reminders.add(wid, rows)

        config = reminding.ReminderConfig(per_second=1000.0, batch=50)
        apps = [
            build_application(TOKEN, api.base_url, Deps(st, now=clock), reminder_config=config)
            for st in (first, second)
        ]
        async with apps[0], apps[1]:
            reports = await asyncio.gather(*(reminding.sweep(app) for app in apps))

        sends = [c for c in api.calls if c.method == "sendMessage"]
        opened = Counter(
            b["callback_data"]
            for c in sends
            for row in c.params["reply_markup"]["inline_keyboard"]
            for b in row
            if b["callback_data"].startswith("r|open|")
        )
        assert len(sends) == WORKERS * EACH == 1000
        assert len(opened) == 1000 and set(opened.values()) == {1}
        assert Counter(c.params["chat_id"] for c in sends) == {
            100_000 + i: EACH for i in range(WORKERS)
        }
        assert [r.sent for r in reports] == [r.sent for r in reports if r.sent > 0]  # both sent
        assert sum(r.sent for r in reports) == 1000
        async with first.sessions() as s:
            unsent = await s.scalars(select(Reminder.id).where(Reminder.sent_at.is_(None)))
            assert list(unsent) == []
        print(
            f"\nexactly once: {len(sends)} sendMessage calls for 1000 reminders; "
            f"instance A sent {reports[0].sent}, instance B {reports[1].sent}"
        )
    finally:
        await first.close()
        await second.close()
