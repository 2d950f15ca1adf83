"""The audit chain's head reaches the log when the bot starts (and daily): a copy of it
outside the database, so entries cut off the end of the chain can still be noticed."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from storage.service import Storage

HEAD = re.compile(r"audit chain head: entry (\d+), hash ([0-9a-f]{64})$")


async def test_start_up_logs_the_chain_head(
    storage: Storage,
    make_bot: Callable[[Storage], AbstractAsyncContextManager[object]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await storage.audit.record("note.viewed", None, "n1")
    caplog.set_level(logging.INFO, logger="bot.telegram.app")
    async with make_bot(storage):
        for _ in range(400):
            found = [m for r in caplog.records if (m := HEAD.match(r.getMessage()))]
            if found:
                break
            await asyncio.sleep(0.02)
    assert found, "no audit chain head in the log"
    assert (int(found[0][1]), found[0][2]) == await storage.audit.head()
