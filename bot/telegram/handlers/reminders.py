"""/actions, /reminders, /today, /calendar and the buttons on reminders and those lists."""

from __future__ import annotations

import contextlib
import logging

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.service import agenda, calendar, followups
from bot.service.deps import Turn
from bot.service.replies import EXPIRED, Reply
from bot.telegram.access import workers_only
from bot.telegram.deliver import NO_PREVIEW, deliver
from bot.telegram.render import markup, messages

log = logging.getLogger(__name__)


@workers_only
async def actions(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/actions: open follow-ups, overdue first, each with Done."""
    await deliver(context.bot, turn, await agenda.actions(turn))


@workers_only
async def coming_up(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/reminders: what is coming, each cancellable."""
    await deliver(context.bot, turn, await agenda.upcoming(turn))


@workers_only
async def today(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/today: due and overdue follow-ups, the unfinished note, sessions without a note."""
    await deliver(context.bot, turn, await agenda.today(turn))


@workers_only
async def calendar_file(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/calendar: the planned sessions as an .ics file (initials only)."""
    found = await calendar.upcoming_file(turn)
    if isinstance(found, Reply):
        await deliver(context.bot, turn, found)
    else:
        await send_file(context.bot, turn.chat_id, found)


@workers_only
async def reminder_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """A button on a reminder or in /reminders (r|op|reminder id)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    done = await followups.press(turn, query.data)
    if done.edit:
        await show_in_place(context.bot, turn, query, done.reply)
    else:
        await deliver(context.bot, turn, done.reply, query)
    if done.document is not None:
        await send_file(context.bot, turn.chat_id, done.document)


@workers_only
async def action_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """✅ n in /actions or /today (a|done|action id|l or t)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, op, action_id, view = [*query.data.split("|"), "", "", ""][:4]
    if op != "done":
        await deliver(context.bot, turn, Reply(toast=EXPIRED), query)
        return
    await show_in_place(context.bot, turn, query, await agenda.complete(turn, action_id, view))


async def show_in_place(bot: Bot, turn: Turn, query: CallbackQuery, reply: Reply) -> None:
    """Answer the tap and show ``reply`` by editing the tapped message (no new notification);
    send it as a new message if that message cannot be edited."""
    with contextlib.suppress(TelegramError):  # too old or already answered: harmless
        await query.answer(reply.toast)
    if not reply.screens:
        return
    pieces, keyboard = messages(reply), markup(reply)
    target = query.message
    if target is None or len(pieces) != 1 or not isinstance(keyboard, InlineKeyboardMarkup | None):
        await deliver(bot, turn, Reply(screens=reply.screens, buttons=reply.buttons))
        return
    try:
        await bot.edit_message_text(
            pieces[0],
            turn.chat_id,
            target.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc):
            await deliver(bot, turn, Reply(screens=reply.screens, buttons=reply.buttons))
    except TelegramError as exc:
        log.warning("could not update a reminder message: %s", type(exc).__name__)


async def send_file(bot: Bot, chat_id: int, file: calendar.CalendarFile) -> None:
    """Send a document (best effort: it can be asked for again)."""
    try:
        await bot.send_document(
            chat_id, file.content, filename=file.filename, caption=file.caption
        )
    except TelegramError as exc:
        log.warning("could not send a file: %s", type(exc).__name__)
