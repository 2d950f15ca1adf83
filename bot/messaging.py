"""Sending with a little patience: rate limits are handled by AIORateLimiter, brief server
errors here. Nothing that is logged contains message text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

log = logging.getLogger(__name__)
BACKOFF = (0.5, 1.0, 2.0)


async def send_html(
    bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Send one HTML message, retrying brief server failures (not bad requests)."""
    for attempt, pause in enumerate((*BACKOFF, None)):
        try:
            return await bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
            )
        except RetryAfter as exc:
            if pause is None:
                raise
            delay = exc.retry_after
            await asyncio.sleep(
                delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            )
        except (BadRequest, Forbidden):
            raise
        except NetworkError:
            if pause is None:
                raise
            log.warning("send failed (attempt %d), retrying", attempt + 1)
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


async def send_blocks(
    bot: Bot, chat_id: int, pieces: Sequence[str], keyboard: InlineKeyboardMarkup | None = None
) -> list[int]:
    """Send several messages in order, the keyboard on the last; return their ids."""
    ids = []
    for i, piece in enumerate(pieces):
        msg = await send_html(bot, chat_id, piece, keyboard if i == len(pieces) - 1 else None)
        ids.append(msg.message_id)
    return ids


async def drop_keyboard(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Remove a message's buttons so they cannot be pressed again (ignore if already gone)."""
    if message_id is None:
        return
    with contextlib.suppress(BadRequest):
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def delete_all(bot: Bot, chat_id: int, message_ids: Sequence[int]) -> None:
    """Delete messages in batches of 100; ones already gone or too old are skipped."""
    for i in range(0, len(message_ids), 100):
        try:
            await bot.delete_messages(chat_id, list(message_ids[i : i + 100]))
        except BadRequest:
            log.info("some messages could not be deleted (too old or already gone)")
