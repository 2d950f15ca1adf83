"""The one retry layer: a 429 or 5xx delays only its own call, within a budget; a timed-out
call is never repeated (it may have been delivered)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.telegram.ratelimit import PerCallRateLimiter


class Flaky:
    """A Bot API call that fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


async def _send(limiter: PerCallRateLimiter, call: Flaky) -> Any:
    await limiter.initialize()
    data = {"chat_id": 5001, "text": "hi"}
    return await limiter.process_request(call, (), {}, "sendMessage", data, None)


async def test_a_429_is_waited_out_and_retried() -> None:
    call = Flaky(RetryAfter(0), RetryAfter(0))
    assert await _send(PerCallRateLimiter(), call) == {"ok": True}
    assert call.calls == 3


async def test_a_server_error_is_retried_a_few_times() -> None:
    call = Flaky(NetworkError("Bad Gateway"))
    assert await _send(PerCallRateLimiter(), call) == {"ok": True}
    assert call.calls == 2


async def test_retries_stop_at_the_time_budget() -> None:
    call = Flaky(RetryAfter(30))
    with pytest.raises(RetryAfter):
        await _send(PerCallRateLimiter(budget=20.0), call)
    assert call.calls == 1  # a 30 s wait would break the budget: give up at once


@pytest.mark.parametrize("error", [TimedOut(), BadRequest("Bad Request: chat not found")])
async def test_timeouts_and_bad_requests_are_not_repeated(error: Exception) -> None:
    call = Flaky(error)
    with pytest.raises(type(error)):
        await _send(PerCallRateLimiter(), call)
    assert call.calls == 1
