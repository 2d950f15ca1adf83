"""A fake Telegram Bot API over real HTTP: enough methods for our bot, every call recorded.

The real PTB networking stack talks to it unchanged, so tests exercise what production does.
Faults (429 with retry_after, 5xx, slow replies) can be injected per method.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "casenotes", "username": "casenotes_bot"}
RAW_KEYS = {"text", "caption", "parse_mode", "callback_query_id", "url", "description"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float


@dataclass
class BotMessage:
    """A message in a chat, as the fake server remembers it."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    reply_markup: dict[str, Any] | None = None
    deleted: bool = False
    kind: str = "text"

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) for every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Fault:
    status: int
    times: int
    retry_after: int = 1
    delay: float = 0.0


@dataclass
class FakeBotApi:
    """Start with ``await api.start()``; point PTB at ``api.base_url``."""

    host: str = "127.0.0.1"
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, list[BotMessage]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._new_update = asyncio.Event()
        self._faults: dict[str, Fault] = {}
        self._delivered = 0
        self.changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # ---- fault injection -------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int = 429,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (or just be slow)."""
        self._faults[method] = Fault(status, times, retry_after, delay)

    # ---- the user's side -------------------------------------------------------------
    def _chat(self, chat_id: int, user: dict[str, Any], chat_type: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        return {"id": chat_id, "type": chat_type, "title": "A group"}

    def _push(self, update: dict[str, Any]) -> int:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()
        return update["update_id"]

    def user_message(
        self,
        user: dict[str, Any],
        chat_id: int,
        text: str | None = None,
        chat_type: str = "private",
        **extra: Any,
    ) -> int:
        """Queue a message from a user (text, or e.g. photo=[...], sticker={...})."""
        mid = next(self._message_ids)
        msg: dict[str, Any] = {
            "message_id": mid,
            "date": int(time.time()),
            "from": user,
            "chat": self._chat(chat_id, user, chat_type),
            **extra,
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                cmd = text.split()[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
        kind = "text" if text is not None else next(iter(extra), "other")
        self.messages.setdefault(chat_id, []).append(
            BotMessage(mid, chat_id, False, text or f"[{kind}]", kind=kind)
        )
        self._push({"message": msg})
        return mid

    def user_taps(self, user: dict[str, Any], chat_id: int, message_id: int, data: str) -> int:
        """Queue a button press on one of the bot's messages."""
        target = self.find(chat_id, message_id)
        msg = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": self._chat(chat_id, user, "private"),
            "text": target.text if target else "",
        }
        cq = {
            "id": str(next(self._message_ids)),
            "from": user,
            "message": msg,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self._push({"callback_query": cq})

    def find(self, chat_id: int, message_id: int) -> BotMessage | None:
        return next(
            (m for m in self.messages.get(chat_id, []) if m.message_id == message_id), None
        )

    def visible(self, chat_id: int) -> list[BotMessage]:
        """What the chat shows now: messages not deleted, oldest first."""
        return [m for m in self.messages.get(chat_id, []) if not m.deleted]

    def delivered_all(self) -> bool:
        return self._delivered >= len(self._updates)

    # ---- the bot's side --------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        out: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):
                out[key] = {"filename": getattr(value, "filename", "")}
            elif key in RAW_KEYS:
                out[key] = value
            else:
                try:
                    out[key] = json.loads(value)
                except ValueError:
                    out[key] = value
        return out

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        fault = self._faults.get(method)
        if method != "getUpdates":
            self.calls.append(Call(method, params, time.monotonic()))
        if fault and fault.times > 0:
            fault.times -= 1
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status == 429:
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {fault.retry_after}",
                        "parameters": {"retry_after": fault.retry_after},
                    },
                    status=429,
                )
            if fault.status >= 500:
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": fault.status,
                        "description": "Internal Server Error",
                    },
                    status=fault.status,
                )
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status=404,
            )
        try:
            result = await handler(params)
        except LookupError as exc:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, status=400
            )
        async with self.changed:
            self.changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, p: dict[str, Any]) -> Any:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_setMyCommands(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        offset = int(p.get("offset") or 0)
        timeout = min(float(p.get("timeout") or 0), 5.0)
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self._updates if u["update_id"] >= offset]
            if pending:
                self._delivered = max(self._delivered, pending[-1]["update_id"])
                return pending[:100]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    def _bot_message(
        self, chat_id: int, text: str, markup: Any, kind: str = "text"
    ) -> dict[str, Any]:
        mid = next(self._message_ids)
        self.messages.setdefault(chat_id, []).append(
            BotMessage(mid, chat_id, True, text, markup or None, kind=kind)
        )
        return {
            "message_id": mid,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "user"},
            "text": text,
            **({"reply_markup": markup} if markup else {}),
        }

    async def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        text = str(p["text"])
        if len(text) > 4096:
            raise LookupError("message is too long")
        return self._bot_message(int(p["chat_id"]), text, p.get("reply_markup"))

    async def _m_sendDocument(self, p: dict[str, Any]) -> Any:
        return self._bot_message(int(p["chat_id"]), str(p.get("caption", "")), None, "document")

    async def _m_sendPhoto(self, p: dict[str, Any]) -> Any:
        return self._bot_message(int(p["chat_id"]), str(p.get("caption", "")), None, "photo")

    def _existing(self, p: dict[str, Any]) -> BotMessage:
        msg = self.find(int(p["chat_id"]), int(p["message_id"]))
        if msg is None or msg.deleted:
            raise LookupError("message to edit not found")
        return msg

    async def _m_editMessageText(self, p: dict[str, Any]) -> Any:
        msg = self._existing(p)
        msg.text, msg.reply_markup = str(p["text"]), p.get("reply_markup") or None
        return self._as_dict(msg)

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        msg = self._existing(p)
        msg.reply_markup = p.get("reply_markup") or None
        return self._as_dict(msg)

    def _as_dict(self, msg: BotMessage) -> dict[str, Any]:
        return {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": msg.chat_id, "type": "private", "first_name": "user"},
            "text": msg.text,
        }

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_deleteMessage(self, p: dict[str, Any]) -> Any:
        self._existing(p).deleted = True
        return True

    async def _m_deleteMessages(self, p: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        for mid in p["message_ids"]:
            msg = self.find(chat_id, int(mid))
            if msg is not None:
                msg.deleted = True
        return True
