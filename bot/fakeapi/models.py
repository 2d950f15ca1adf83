"""What the fake Bot API remembers: calls, messages, reply keyboards, injected faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.fakeapi.html_check import Parsed, parse


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float


def labels(markup: dict[str, Any] | None, key: str) -> list[str]:
    """Button labels of ``markup[key]`` row by row (reply buttons may be bare strings)."""
    rows = (markup or {}).get(key) or []
    return [b if isinstance(b, str) else str(b.get("text", "")) for row in rows for b in row]


@dataclass
class BotMessage:
    """A message in a chat, as the fake server remembers it (``text`` is the raw text sent)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    reply_markup: dict[str, Any] | None = None
    deleted: bool = False
    kind: str = "text"
    parse_mode: str | None = None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) for every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    @property
    def keyboard(self) -> list[str]:
        """Labels of the reply keyboard this message carried, row by row (empty if none)."""
        return labels(self.reply_markup, "keyboard")

    @property
    def parsed(self) -> Parsed:
        """Visible text and entities, as a Telegram client would render them."""
        return parse(self.text, self.parse_mode)

    @property
    def plain(self) -> str:
        """The visible text: tags removed, entities decoded."""
        return self.parsed.text


@dataclass
class ReplyKeyboard:
    """The reply keyboard a chat shows under its input field."""

    rows: list[list[str]]
    placeholder: str | None = None
    one_time: bool = False
    resize: bool = False
    message_id: int = 0

    @property
    def labels(self) -> list[str]:
        """Every label, row by row."""
        return [label for row in self.rows for label in row]

    @classmethod
    def from_markup(cls, markup: dict[str, Any], message_id: int) -> ReplyKeyboard:
        """Read a ReplyKeyboardMarkup as sent by the bot with message ``message_id``."""
        rows = [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in markup["keyboard"]
        ]
        return cls(
            rows,
            markup.get("input_field_placeholder"),
            bool(markup.get("one_time_keyboard")),
            bool(markup.get("resize_keyboard")),
            message_id,
        )


@dataclass
class Fault:
    """An injected failure: ``times`` calls answer ``status`` (after ``delay`` seconds)."""

    status: int
    times: int
    retry_after: int = 1
    delay: float = 0.0


@dataclass
class ApiError(Exception):
    """A Bot API error reply: ``{"ok": false, "error_code": ..., "description": ...}``."""

    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def response(self) -> web.Response:
        """The error as Telegram's JSON reply."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return web.json_response(body, status=self.status)

    @classmethod
    def of(cls, fault: Fault) -> ApiError:
        """The error an injected fault answers with."""
        if fault.status == 429:
            return cls(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.status == 403:
            return cls(403, "Forbidden: bot was blocked by the user")
        if fault.status >= 500:
            return cls(fault.status, "Internal Server Error")
        return cls(fault.status, "Bad Request: injected fault")
