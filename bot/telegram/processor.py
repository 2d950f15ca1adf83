"""Each worker in order, all workers at once.

PTB processes updates one at a time by default, so one worker's slow call or 429 holds up
everyone. This processor runs different users' updates concurrently and keeps each user's
own updates strictly in arrival order with one lock per user, made and dropped as needed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.logs import request_scope

log = logging.getLogger(__name__)


def user_key(update: object) -> int | None:
    """Whose turn this is: the sender (falling back to the chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class PerUserProcessor(BaseUpdateProcessor):
    """Concurrent across users, sequential per user."""

    def __init__(self, max_concurrent_updates: int = 1024) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update in turn, every log line it causes tagged with one request id."""
        update_id = update.update_id if isinstance(update, Update) else None
        with request_scope(update_id):
            started = time.monotonic()
            await self._in_turn(update, coroutine)
            log.debug("update handled in %.0f ms", (time.monotonic() - started) * 1000)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run after the same user's earlier updates; other users' run meanwhile.

        A queued update holds one of the (many) concurrency slots while it waits; strangers
        are answered once and then cost nothing, so one user cannot plausibly fill them.
        """
        key = user_key(update)
        if key is None:
            await coroutine
            return
        lock, waiting = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._locks[key]
            if waiting <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, waiting - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @property
    def users_in_flight(self) -> int:
        return len(self._locks)
