"""Random faults on a share of the bot's calls, for reliability tests: 429, 502 or slow.

Scripted faults (``FakeBotApi.fail``) say exactly which call fails; chaos says how often,
from a seed, so a failing run can be replayed. Long polling and start-up calls are spared:
the point is what the bot does with a failed reply, not how PTB's poller backs off.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.fakeapi.models import Fault
from bot.fakeapi.server import FakeBotApi

#: Calls never disturbed by chaos: the poller and what the bot makes before it serves anyone.
SPARED = frozenset({"getUpdates", "getMe", "setMyCommands", "deleteWebhook", "getWebhookInfo"})


@dataclass
class Chaos:
    """Answer about ``rate`` of the calls with 429 (retry_after 0–1 s), 502, or slowly."""

    rate: float = 0.1
    seed: int = 0
    slow: tuple[float, float] = (0.5, 1.0)
    spared: frozenset[str] = SPARED
    #: (method, status, delay) of every fault given, for the test to check chaos happened.
    given: list[tuple[str, int, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, method: str) -> Fault | None:
        """A fault for this call, or None (most of the time)."""
        if method in self.spared or self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(("429", "502", "slow"))
        if kind == "429":
            fault = Fault(429, 1, retry_after=self._rng.randint(0, 1))
        elif kind == "502":
            fault = Fault(502, 1)
        else:
            fault = Fault(200, 1, delay=self._rng.uniform(*self.slow))
        self.given.append((method, fault.status, fault.delay))
        return fault


@dataclass
class ChaoticBotApi(FakeBotApi):
    """The fake Bot API, with ``chaos`` (when set) on top of any scripted faults."""

    chaos: Chaos | None = None

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        scripted = super()._take_fault(method, chat_id)
        if scripted is not None or self.chaos is None:
            return scripted
        return self.chaos.draw(method)
