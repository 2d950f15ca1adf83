"""/settings and /timezone: a worker's own preferences."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.access import EXPIRED, chat_of, workers_only
from bot.deps import deps
from bot.keyboards import simple_keyboard
from bot.messaging import send_blocks
from bot.note_flow import pause
from bot.rendering import esc
from storage.records import WorkerRecord

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


def _summary(worker: WorkerRecord) -> tuple[str, InlineKeyboardMarkup]:
    order = "day/month (21/11)" if worker.date_order == "DMY" else "month/day (11/21)"
    text = (
        "<b>Your settings</b>\n"
        f"Timezone: {esc(worker.timezone)}\n"
        f"Dates: {order}\n"
        f"Chat tidy-up after saving: {'on' if worker.tidy_chat else 'off'}\n\n"
        "<i>For another timezone send /timezone Area/City.</i>"
    )
    keyboard = simple_keyboard(
        [
            ("Switch date order", "s|order"),
            (f"Turn tidy-up {'off' if worker.tidy_chat else 'on'}", "s|tidy"),
            ("Change timezone", "s|tz"),
        ],
        width=1,
    )
    return text, keyboard


@workers_only
async def show_settings(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Show the worker's settings with buttons to change them."""
    d = deps(context)
    await pause(d, await d.storage.drafts.get(worker.id))
    text, keyboard = _summary(worker)
    await send_blocks(context.bot, chat_of(update), [text], keyboard)


@workers_only
async def timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """/timezone Area/City."""
    d = deps(context)
    chat_id = chat_of(update)
    name = (context.args or [""])[0]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        await send_blocks(
            context.bot, chat_id, ["Please send a timezone like /timezone Europe/London."]
        )
        return
    worker = await d.storage.workers.update_settings(worker.id, timezone=name)
    await send_blocks(context.bot, chat_id, [f"Timezone set to {esc(name)}."])


@workers_only
async def settings_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Buttons s|order, s|tidy, s|tz and s|tz|<zone>."""
    query = update.callback_query
    assert query is not None and query.data is not None
    d = deps(context)
    parts = query.data.split("|")
    repo = d.storage.workers
    if parts[1:] == ["order"]:
        worker = await repo.update_settings(
            worker.id, date_order="MDY" if worker.date_order == "DMY" else "DMY"
        )
    elif parts[1:] == ["tidy"]:
        worker = await repo.update_settings(worker.id, tidy_chat=not worker.tidy_chat)
    elif parts[1:] == ["tz"]:
        await query.answer()
        keyboard = simple_keyboard([(z, f"s|tz|{z}") for z in COMMON_ZONES])
        await query.edit_message_text(
            "Pick your timezone (or send /timezone Area/City):", reply_markup=keyboard
        )
        return
    elif len(parts) == 3 and parts[1] == "tz" and parts[2] in COMMON_ZONES:
        worker = await repo.update_settings(worker.id, timezone=parts[2])
    else:
        await query.answer(EXPIRED)
        return
    await query.answer("Saved.")
    text, keyboard = _summary(worker)
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=keyboard)
