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
        """Press a button: on the chat's reply keyboard if it has one so labelled (which sends
        the label as a message), else on ``message`` or the latest inline keyboard.

        ``label`` may leave out a leading symbol: "Skip" presses "⏭ Skip".
        """
        if message is None:
            reply = next((lbl for lbl in self.keyboard() if matches(lbl, label)), None)
            if reply is not None:
                return await self.say(reply)
        msg = message or next((m for m in reversed(self.bot_messages()) if m.buttons), None)
        inline = msg.buttons if msg else []
        data = next((d for lbl, d in inline if matches(lbl, label)), None)
        assert msg is not None and data is not None, (
            f"no button {label!r}: reply keyboard {self.keyboard()}, inline {inline}"
        )
        return await self.press(msg.message_id, data)

    async def press(self, message_id: int, data: str) -> list[Call]:
        before = len(self.api.calls)
        self.api.user_taps(self.user, self.chat_id or 0, message_id, data)
        return await self._settle(before)

    async def tap_for_file(self, label: str, method: str = "sendDocument") -> list[Call]:
        """Tap a button whose answer is a file: the tap is acknowledged first and the file
        follows once built, which may be after a quiet spell longer than ``QUIET``."""
        before = len(self.api.calls)
        await self.tap(label)
        deadline = time.monotonic() + TIMEOUT
        while not any(c.method == method for c in self.api.calls[before:]):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {method} after tapping {label!r}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(QUIET)
        return self.api.calls[before:]

    async def wait_for(self, text: str, within: float = TIMEOUT) -> BotMessage:
        """Wait until the bot's latest message contains ``text`` (for slow, retried sends)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            mine = self.bot_messages()
            if mine and (text in mine[-1].text or text in mine[-1].plain):
                await asyncio.sleep(QUIET)
                return mine[-1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot never said {text!r}")

    def bot_messages(self) -> list[BotMessage]:
        return [m for m in self.api.visible(self.chat_id or 0) if m.from_bot]

    def last(self) -> BotMessage:
        return self.bot_messages()[-1]

    def last_with_buttons(self) -> BotMessage:
        """The newest visible message with inline buttons."""
        msg = next((m for m in reversed(self.bot_messages()) if m.buttons), None)
        assert msg is not None, f"no inline buttons; reply keyboard {self.keyboard()}"
        return msg

    def keyboard(self) -> list[str]:
        """The labels of the reply keyboard the chat shows now, row by row."""
        return self.api.reply_keyboard(self.chat_id or 0)

    def live_keyboards(self) -> list[BotMessage]:
        return [m for m in self.bot_messages() if m.buttons]


def matches(label: str, wanted: str) -> bool:
    """True if ``label`` is ``wanted``, maybe after a leading symbol: "✓ Anxiety", "⏭ Skip"."""
    if label == wanted:
        return True
    first, _, rest = label.partition(" ")
    return bool(rest) and not any(c.isalnum() for c in first) and rest == wanted


def toasts(calls: list[Call]) -> list[str]:
    return [c.params.get("text", "") for c in calls if c.method == "answerCallbackQuery"]


def texts(calls: list[Call]) -> list[str]:
    return [c.params["text"] for c in calls if c.method == "sendMessage"]
