"""Who may talk to the bot: invited, active workers, in a private chat. A stranger gets one
short polite line, then silence for a while, so 300 messages don't cost 300 sends."""

from __future__ import annotations

import contextlib
import functools
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.service.deps import Deps, Turn

REFUSAL = "Sorry, this is a private service."
PRIVATE_ONLY = "I only take notes in a private chat with you. Nothing here was recorded."
#: After one refusal, a stranger hears nothing more for this long.
QUIET_FOR = 600.0
_MAX_TRACKED = 10_000

TurnHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Turn], Coroutine[Any, Any, Any]]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


class Refusals:
    """Remembers whom we refused recently (in memory: a restart only costs one more line)."""

    def __init__(self, quiet_for: float = QUIET_FOR) -> None:
        self.quiet_for = quiet_for
        self._last: OrderedDict[int, float] = OrderedDict()

    def should_answer(self, user_id: int) -> bool:
        """True at most once per quiet period per user."""
        now = time.monotonic()
        last = self._last.get(user_id)
        if last is not None and now - last < self.quiet_for:
            return False
        self._last[user_id] = now
        self._last.move_to_end(user_id)
        while len(self._last) > _MAX_TRACKED:
            self._last.popitem(last=False)
        return True


def deps(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    """Return the application's dependencies."""
    value = context.application.bot_data["deps"]
    assert isinstance(value, Deps)
    return value


def refusals(context: ContextTypes.DEFAULT_TYPE) -> Refusals:
    value = context.application.bot_data.setdefault("refusals", Refusals())
    assert isinstance(value, Refusals)
    return value


def chat_of(update: Update) -> int:
    """The chat an update came from (every update we handle has one)."""
    assert update.effective_chat is not None
    return update.effective_chat.id


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str = REFUSAL) -> None:
    """One line (a toast for a button), unless this person was refused a moment ago."""
    user = update.effective_user
    query = update.callback_query
    if user is not None and not refusals(context).should_answer(user.id):
        if query is not None:
            with contextlib.suppress(TelegramError):
                await query.answer()
        return
    with contextlib.suppress(TelegramError):
        if query is not None:
            await query.answer(text)
        elif update.effective_message:
            await update.effective_message.reply_text(text)


async def make_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
    """The active worker behind this update, as a Turn; None for anyone else."""
    user = update.effective_user
    if user is None:
        return None
    d = deps(context)
    worker = await d.storage.workers.by_telegram_id(user.id)
    if worker is None:
        return None
    if worker.blocked_at is not None:  # any update shows they unblocked the bot
        await d.storage.workers.back(worker.id)
    message = update.message
    if message is None:
        return Turn(d, worker, chat_of(update))
    return Turn(d, worker, chat_of(update), message.message_id, message.date)


def workers_only(handler: TurnHandler) -> Handler:
    """Run ``handler`` only for an active worker in a private chat."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        turn = await make_turn(update, context)
        if turn is None:
            await refuse(update, context)
            return None
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            await refuse(update, context, PRIVATE_ONLY)
            return None
        return await handler(update, context, turn)

    return wrapper
