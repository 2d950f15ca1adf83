"""Drive the real Application over real HTTP: a fake Bot API server and a person using it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from bot.fakeapi import BotMessage, Call, FakeBotApi

QUIET = 0.2
TIMEOUT = 15.0


@dataclass
class Person:
    """Someone chatting with the bot: say() types, tap() presses a button; both await replies."""

    api: FakeBotApi
    user_id: int
    first_name: str = "Sam"
    chat_id: int | None = None
    chat_type: str = "private"
    sent: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.chat_id is None:
            self.chat_id = self.user_id

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name}

    async def _settle(self, before: int) -> list[Call]:
        deadline = time.monotonic() + TIMEOUT
        while len(self.api.calls) == before:
            if time.monotonic() > deadline:
                raise AssertionError("the bot did not respond")
            await asyncio.sleep(0.02)
        while True:
            last = self.api.calls[-1].at
            await asyncio.sleep(QUIET)
            if self.api.calls[-1].at == last and self.api.delivered_all():
                return self.api.calls[before:]

    async def say(self, text: str | None = None, **extra: Any) -> list[Call]:
        before = len(self.api.calls)
        mid = self.api.user_message(self.user, self.chat_id or 0, text, self.chat_type, **extra)
        self.sent.append(mid)
        return await self._settle(before)

    async def tap(self, label: str, message: BotMessage | None = None) -> list[Call]:
        msg = message or self.last_with_buttons()
        data = next((d for lbl, d in msg.buttons if lbl == label or lbl == f"✓ {label}"), None)
        assert data is not None, f"no button {label!r} in {msg.buttons}"
        return await self.press(msg.message_id, data)

    async def press(self, message_id: int, data: str) -> list[Call]:
        before = len(self.api.calls)
        self.api.user_taps(self.user, self.chat_id or 0, message_id, data)
        return await self._settle(before)

    async def wait_for(self, text: str, within: float = TIMEOUT) -> BotMessage:
        """Wait until the bot's latest message contains ``text`` (for slow, retried sends)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            mine = self.bot_messages()
            if mine and text in mine[-1].text:
                await asyncio.sleep(QUIET)
                return mine[-1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot never said {text!r}")

    def bot_messages(self) -> list[BotMessage]:
        return [m for m in self.api.visible(self.chat_id or 0) if m.from_bot]

    def last(self) -> BotMessage:
        return self.bot_messages()[-1]

    def last_with_buttons(self) -> BotMessage:
        return next(m for m in reversed(self.bot_messages()) if m.buttons)

    def live_keyboards(self) -> list[BotMessage]:
        return [m for m in self.bot_messages() if m.buttons]


def toasts(calls: list[Call]) -> list[str]:
    return [c.params.get("text", "") for c in calls if c.method == "answerCallbackQuery"]


def texts(calls: list[Call]) -> list[str]:
    return [c.params["text"] for c in calls if c.method == "sendMessage"]
