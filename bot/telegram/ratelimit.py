"""The one retry layer: Telegram's overall limit for every call, retries for one call only.

PTB's AIORateLimiter keeps the bot under ~30 chat-scoped calls per second, but on a 429 it
pauses *every* request until the wait is over, so one worker's flood limit stalls all. Here a
429 or a brief server error delays only the call that got it, within a total time budget,
and a timed-out call is never repeated (it may have arrived: repeating would duplicate it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)
JSON = bool | dict[str, Any] | list[dict[str, Any]]
SERVER_BACKOFF = (0.5, 1.0, 2.0)


class PerCallRateLimiter(AIORateLimiter):
    """AIORateLimiter's pacing; retries that delay only the call that failed."""

    def __init__(self, budget: float = 20.0, max_retries: int = 5) -> None:
        super().__init__(max_retries=0)
        self.budget = budget
        self.retries = max_retries

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Pace the call, and retry it alone after a 429 or a 5xx while the budget lasts."""
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group: int | str | bool = False
        if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
            group = chat_id
        waited, server_errors = 0.0, 0
        for attempt in range(self.retries + 1):
            try:
                return await self._run_request(
                    chat=chat_id is not None,
                    group=group,
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                failure: Exception = exc
                pause = exc.retry_after
                delay = pause if isinstance(pause, int | float) else pause.total_seconds()
                delay += 0.1
            except (BadRequest, Forbidden, TimedOut):
                raise
            except NetworkError as exc:
                failure = exc
                if server_errors >= len(SERVER_BACKOFF):
                    raise
                delay = SERVER_BACKOFF[server_errors]
                server_errors += 1
            if attempt == self.retries or waited + delay > self.budget:
                raise failure
            log.info("%s retried in %.1f s", endpoint, delay)
            waited += delay
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")
