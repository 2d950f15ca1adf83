"""/settings and /timezone: a worker's own preferences."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.service.deps import Turn
from bot.telegram.access import workers_only
from bot.telegram.deliver import send_html
from bot.telegram.html import esc
from storage.records import WorkerRecord

EXPIRED = "That button has expired."
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def _keyboard(pairs: list[tuple[str, str]], width: int) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in pairs]
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])


def _summary(worker: WorkerRecord) -> tuple[str, InlineKeyboardMarkup]:
    order = "day/month (21/11)" if worker.date_order == "DMY" else "month/day (11/21)"
    text = (
        "<b>Your settings</b>\n"
        f"Timezone: {esc(worker.timezone)}\n"
        f"Dates: {order}\n"
        f"Chat tidy-up after saving: {'on' if worker.tidy_chat else 'off'}\n\n"
        "<i>For another timezone send /timezone Area/City.</i>"
    )
    keyboard = _keyboard(
        [
            ("Switch date order", "s|order"),
            (f"Turn tidy-up {'off' if worker.tidy_chat else 'on'}", "s|tidy"),
            ("Change timezone", "s|tz"),
        ],
        width=1,
    )
    return text, keyboard


@workers_only
async def show_settings(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Show the worker's settings with buttons to change them."""
    text, keyboard = _summary(turn.worker)
    await send_html(context.bot, turn.chat_id, [text], keyboard)


@workers_only
async def timezone(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/timezone Area/City."""
    name = (context.args or [""])[0]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        await send_html(
            context.bot, turn.chat_id, ["Please send a timezone like /timezone Europe/London."]
        )
        return
    await turn.storage.workers.update_settings(turn.worker.id, timezone=name)
    await send_html(context.bot, turn.chat_id, [f"Timezone set to {esc(name)}."])


@workers_only
async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Buttons s|order, s|tidy, s|tz and s|tz|<zone>."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split("|")
    repo, worker = turn.storage.workers, turn.worker
    if parts[1:] == ["order"]:
        worker = await repo.update_settings(
            worker.id, date_order="MDY" if worker.date_order == "DMY" else "DMY"
        )
    elif parts[1:] == ["tidy"]:
        worker = await repo.update_settings(worker.id, tidy_chat=not worker.tidy_chat)
    elif parts[1:] == ["tz"]:
        with contextlib.suppress(TelegramError):
            await query.answer()
        with contextlib.suppress(TelegramError):
            await query.edit_message_text(
                "Pick your timezone (or send /timezone Area/City):",
                reply_markup=_keyboard([(z, f"s|tz|{z}") for z in COMMON_ZONES], 2),
            )
        return
    elif len(parts) == 3 and parts[1] == "tz" and parts[2] in COMMON_ZONES:
        worker = await repo.update_settings(worker.id, timezone=parts[2])
    else:
        with contextlib.suppress(TelegramError):
            await query.answer(EXPIRED)
        return
    text, keyboard = _summary(worker)
    with contextlib.suppress(TelegramError):
        await query.answer("Saved.")
    with contextlib.suppress(TelegramError):  # a double tap: "message is not modified"
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
