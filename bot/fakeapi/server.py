"""A fake Telegram Bot API over real HTTP: enough methods for our bot, every call recorded.

The real PTB networking stack talks to it unchanged, so tests exercise what production does.
It behaves like Telegram where our bot could get it wrong: confirmed updates are forgotten,
HTML is parsed and length-checked after parsing, reply keyboards stick to the chat, and edits
that change nothing, stale callback queries and blocked users get Telegram's errors.
Faults (429 with retry_after, 4xx/5xx, slow replies) can be injected per method and per chat.
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

from bot.fakeapi.html_check import CAPTION_LIMIT, MESSAGE_LIMIT, Parsed, check_length, parse
from bot.fakeapi.models import ApiError, BotMessage, Call, Fault, ReplyKeyboard
from bot.fakeapi.webhook import Webhook, WebhookMethods

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "casenotes", "username": "casenotes_bot"}
RAW_KEYS = {"text", "caption", "parse_mode", "callback_query_id", "url", "description"}
ENTITY_TYPES = {
    "b": "bold",
    "i": "italic",
    "u": "underline",
    "s": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def chat_of(params: dict[str, Any]) -> int | None:
    """The chat a call is about, if it names one."""
    with contextlib.suppress(KeyError, TypeError, ValueError):
        return int(params["chat_id"])
    return None


def entities_json(parsed: Parsed) -> list[dict[str, Any]]:
    """Entities as the Bot API returns them in a Message."""
    out: list[dict[str, Any]] = []
    for e in parsed.entities:
        kind = ENTITY_TYPES[e.tag]
        if kind == "blockquote" and e.argument:
            kind = "expandable_blockquote"
        item: dict[str, Any] = {"type": kind, "offset": e.offset, "length": e.length}
        if kind == "text_link":
            item["url"] = e.argument
        elif kind == "custom_emoji":
            item["custom_emoji_id"] = e.argument
        out.append(item)
    return out


@dataclass
class FakeBotApi(WebhookMethods):
    """Start with ``await api.start()``; point PTB at ``api.base_url``."""

    host: str = "127.0.0.1"
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, list[BotMessage]] = field(default_factory=dict)
    webhook: Webhook = field(default_factory=Webhook)
    #: Seconds every call waits before it is handled (and recorded): a network round trip.
    latency: float = 0.0

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._message_ids = itertools.count(100)
        self._new_update = asyncio.Event()
        self._faults: dict[tuple[str, int | None], Fault] = {}
        self._delivered = 0
        self._queries: dict[str, int] = {}  # open callback query id -> chat id
        self._answered: set[str] = set()
        self._keyboards: dict[int, ReplyKeyboard] = {}
        self._blocked: set[int] = set()
        self.changed = asyncio.Condition()
        self.webhook_info: dict[str, Any] = {}
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
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status`` (or just be slow).

        With ``chat_id`` only calls for that chat are affected; a status below 400 with a
        ``delay`` makes calls slow but successful.
        """
        self._faults[(method, chat_id)] = Fault(status, times, retry_after, delay)

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every call for this chat gets 403 Forbidden."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        self._blocked.discard(chat_id)

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        keys = [(method, chat_id), (method, None)] if chat_id is not None else [(method, None)]
        for key in keys:
            fault = self._faults.get(key)
            if fault and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    # ---- the user's side -------------------------------------------------------------
    def _chat(self, chat_id: int, user: dict[str, Any], chat_type: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        return {"id": chat_id, "type": chat_type, "title": "A group"}

    def _push(self, update: dict[str, Any]) -> int:
        update["update_id"] = self._last_update_id = next(self._update_ids)
        if self.webhook.url:  # webhook mode: Telegram posts updates instead of queuing them
            self._deliver_by_webhook(update)
            return self._last_update_id
        self._updates.append(update)
        self._new_update.set()
        return self._last_update_id

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

    def user_edits(self, user: dict[str, Any], chat_id: int, message_id: int, text: str) -> int:
        """Queue an edit of one of the user's earlier messages (an ``edited_message``)."""
        target = self.find(chat_id, message_id)
        if target is not None:
            target.text = text
        msg: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()) - 5,
            "edit_date": int(time.time()),
            "from": user,
            "chat": self._chat(chat_id, user, "private"),
            "text": text,
        }
        if text.startswith("/"):
            cmd = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
        return self._push({"edited_message": msg})

    def user_taps(self, user: dict[str, Any], chat_id: int, message_id: int, data: str) -> int:
        """Queue a press of an inline button on one of the bot's messages."""
        target = self.find(chat_id, message_id)
        msg = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": self._chat(chat_id, user, "private"),
            **(self._content(target) if target else {"text": ""}),
        }
        query_id = str(next(self._message_ids))
        self._queries[query_id] = chat_id
        cq = {
            "id": query_id,
            "from": user,
            "message": msg,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self._push({"callback_query": cq})

    def find(self, chat_id: int, message_id: int) -> BotMessage | None:
        """A message of the chat by id, deleted or not."""
        return next(
            (m for m in self.messages.get(chat_id, []) if m.message_id == message_id), None
        )

    def visible(self, chat_id: int) -> list[BotMessage]:
        """What the chat shows now: messages not deleted, oldest first."""
        return [m for m in self.messages.get(chat_id, []) if not m.deleted]

    def reply_keyboard(self, chat_id: int) -> list[str]:
        """Labels of the reply keyboard the chat shows now, row by row (empty if none)."""
        keyboard = self._keyboards.get(chat_id)
        return keyboard.labels if keyboard else []

    def current_keyboard(self, chat_id: int) -> ReplyKeyboard | None:
        """The chat's reply keyboard with its rows, placeholder and flags."""
        return self._keyboards.get(chat_id)

    def delivered_all(self) -> bool:
        """True when the bot has fetched every update queued so far."""
        return self._delivered >= self._last_update_id

    # ---- what the bot did ------------------------------------------------------------
    def calls_for(self, chat_id: int) -> list[Call]:
        """Every call about this chat, including answers to its callback queries."""
        return [
            c
            for c in self.calls
            if chat_of(c.params) == chat_id
            or self._queries.get(str(c.params.get("callback_query_id"))) == chat_id
        ]

    def chat_scoped_calls(self, chat_id: int | None = None) -> list[Call]:
        """Calls carrying a chat_id, all or one chat's: what Telegram's ~30/s limit counts."""
        return [
            c
            for c in self.calls
            if "chat_id" in c.params and (chat_id is None or chat_of(c.params) == chat_id)
        ]

    # ---- the bot's side --------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        out: dict[str, Any] = {}
        for key, value in form.items():
            if not isinstance(value, str):
                body = value.file.read() if hasattr(value, "file") else b""
                out[key] = {"filename": getattr(value, "filename", ""), "content": body}
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
        chat_id = chat_of(params)
        if self.latency:
            await asyncio.sleep(self.latency)
        if method != "getUpdates":
            self.calls.append(Call(method, params, time.monotonic()))
        handler = getattr(self, f"_m_{method}", None)
        try:
            fault = self._take_fault(method, chat_id)
            if fault and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault and fault.status >= 400:
                raise ApiError.of(fault)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if chat_id is not None and chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            result = await handler(params)
        except ApiError as exc:
            return exc.response()
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

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        # Tests set ``webhook_info`` (url, last_error_message, ...) to play a webhook's state.
        return {
            "has_custom_certificate": False,
            **self.webhook_state(),
            "pending_update_count": len(self._updates) + self.webhook.in_flight,
            **self.webhook_info,
        }

    async def _m_setMyCommands(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        return True

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook.url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        limit = max(1, min(int(p.get("limit") or 100), 100))
        timeout = min(float(p.get("timeout") or 0), 5.0)
        deadline = time.monotonic() + timeout
        while True:
            # Like Telegram: an offset confirms every earlier update, which is then forgotten.
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            if self._updates:
                batch = self._updates[:limit]
                self._delivered = max(self._delivered, batch[-1]["update_id"])
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    def _checked(self, text: str, parse_mode: str | None, caption: bool = False) -> Parsed:
        try:
            parsed = parse(text, parse_mode)
            check_length(parsed.text, CAPTION_LIMIT if caption else MESSAGE_LIMIT, caption)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        return parsed

    def _content(self, msg: BotMessage) -> dict[str, Any]:
        parsed = msg.parsed
        key = "text" if msg.kind == "text" else "caption"
        out: dict[str, Any] = {key: parsed.text} if parsed.text or key == "text" else {}
        if parsed.entities:
            out["entities" if key == "text" else "caption_entities"] = entities_json(parsed)
        if msg.kind == "document":
            out["document"] = {"file_id": f"doc{msg.message_id}", "file_unique_id": "d"}
        elif msg.kind == "photo":
            size = {"file_id": f"photo{msg.message_id}", "file_unique_id": "p"}
            out["photo"] = [{**size, "width": 90, "height": 90}]
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup
        return out

    def _as_dict(self, msg: BotMessage) -> dict[str, Any]:
        return {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": msg.chat_id, "type": "private", "first_name": "user"},
            **self._content(msg),
        }

    def _send(self, p: dict[str, Any], text: str, kind: str) -> Any:
        chat_id, markup = int(p["chat_id"]), p.get("reply_markup") or None
        self._checked(text, p.get("parse_mode"), caption=kind != "text")
        msg = BotMessage(next(self._message_ids), chat_id, True, text, markup, kind=kind)
        msg.parse_mode = p.get("parse_mode")
        self.messages.setdefault(chat_id, []).append(msg)
        if markup and "keyboard" in markup:
            self._keyboards[chat_id] = ReplyKeyboard.from_markup(markup, msg.message_id)
        elif markup and markup.get("remove_keyboard"):
            self._keyboards.pop(chat_id, None)
        return self._as_dict(msg)

    async def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        return self._send(p, str(p.get("text", "")), "text")

    async def _m_sendDocument(self, p: dict[str, Any]) -> Any:
        return self._send(p, str(p.get("caption", "")), "document")

    async def _m_sendPhoto(self, p: dict[str, Any]) -> Any:
        return self._send(p, str(p.get("caption", "")), "photo")

    def _existing(self, p: dict[str, Any], action: str = "edit") -> BotMessage:
        msg = self.find(int(p["chat_id"]), int(p["message_id"]))
        if msg is None or msg.deleted:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        return msg

    def _inline_markup(self, p: dict[str, Any]) -> dict[str, Any] | None:
        markup = p.get("reply_markup") or None
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        return markup

    async def _m_editMessageText(self, p: dict[str, Any]) -> Any:
        msg = self._existing(p)
        if msg.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, markup = str(p.get("text", "")), self._inline_markup(p)
        parsed = self._checked(text, p.get("parse_mode"))
        if parsed == msg.parsed and markup == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        msg.text, msg.parse_mode, msg.reply_markup = text, p.get("parse_mode"), markup
        return self._as_dict(msg)

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        msg = self._existing(p)
        markup = self._inline_markup(p)
        if markup == msg.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        msg.reply_markup = markup
        return self._as_dict(msg)

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        qid = str(p.get("callback_query_id"))
        if qid not in self._queries or qid in self._answered:
            raise ApiError(400, QUERY_INVALID)
        self._answered.add(qid)
        return True

    async def _m_deleteMessage(self, p: dict[str, Any]) -> Any:
        self._existing(p, "delete").deleted = True
        return True

    async def _m_deleteMessages(self, p: dict[str, Any]) -> Any:
        chat_id = int(p["chat_id"])
        for mid in p["message_ids"]:
            msg = self.find(chat_id, int(mid))
            if msg is not None:
                msg.deleted = True
        return True
