"""Who may talk to the bot: invited, active workers, in a private chat. Everyone else gets
one short polite line and nothing more."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.deps import deps
from storage.records import WorkerRecord

REFUSAL = "Sorry, this is a private service."
EXPIRED = "That button has expired."
PRIVATE_ONLY = "I only take notes in a private chat with you. Nothing here was recorded."

WorkerHandler = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, WorkerRecord], Coroutine[Any, Any, Any]
]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, Any]]


def chat_of(update: Update) -> int:
    """The chat an update came from (every update we handle has one)."""
    assert update.effective_chat is not None
    return update.effective_chat.id


async def current_worker(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> WorkerRecord | None:
    """The active worker behind this update, or None."""
    user = update.effective_user
    if user is None:
        return None
    return await deps(context).storage.workers.by_telegram_id(user.id)


async def refuse(update: Update, text: str = REFUSAL) -> None:
    """Reply with one line; a button press gets it as a toast."""
    if update.callback_query:
        await update.callback_query.answer(text)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


def workers_only(handler: WorkerHandler) -> Handler:
    """Run ``handler`` only for an active worker in a private chat."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        worker = await current_worker(update, context)
        if worker is None:
            await refuse(update)
            return None
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            await refuse(update, PRIVATE_ONLY)
            return None
        return await handler(update, context, worker)

    return wrapper
