"""Reading records back: full note, history, exports, progress, addenda, closing cards."""

from __future__ import annotations

import contextlib
import re

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.service import addenda, records
from bot.service.deps import Turn
from bot.service.replies import EXPIRED, Reply
from bot.telegram.access import workers_only
from bot.telegram.deliver import close_card, deliver

#: A page number in a button: ASCII digits only ('²'.isdigit() is True, int('²') fails).
PAGE = re.compile(r"[0-9]{1,6}")


def callback_parts(update: Update) -> list[str]:
    """A button's data split on '|' (records, reviews and /team buttons all read so)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    return query.data.split("|")


@workers_only
async def history(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/history [name]: a participant's sessions, newest first."""
    reply = await records.history_for(turn, " ".join(context.args or []))
    await deliver(context.bot, turn, reply)


@workers_only
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/export [name] [pdf|docx|txt]: a participant's whole record as a document."""
    await deliver(context.bot, turn, await records.export_for(turn, list(context.args or [])))


@workers_only
async def progress(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/progress [name]: a chart of wellbeing, sessions and actions."""
    reply = await records.progress_for(turn, " ".join(context.args or []))
    await deliver(context.bot, turn, reply)


@workers_only
async def note_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """📄 Full note (n|<note>)."""
    parts = callback_parts(update)
    reply = await records.full_note(turn, parts[1]) if len(parts) == 2 else Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)


@workers_only
async def history_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """🗂 History on a card (h|<participant>) opens a new card; its pages
    (h|<participant>|<page>) replace the page shown."""
    parts = callback_parts(update)
    if len(parts) == 2:
        reply = await records.history(turn, parts[1])
    elif len(parts) == 3 and PAGE.fullmatch(parts[2]):
        reply = await records.history(turn, parts[1], int(parts[2]), edit=True)
    else:
        reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)


@workers_only
async def progress_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """📈 Progress (g|<participant>)."""
    parts = callback_parts(update)
    reply = await records.progress(turn, parts[1]) if len(parts) == 2 else Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)


@workers_only
async def export_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """⬇️ Export: x|p|<participant>[|fmt] (whole record) or x|n|<note>|fmt (one note).

    The tap is acknowledged as soon as access is granted: a long record takes seconds."""
    query = update.callback_query
    assert query is not None
    parts = callback_parts(update)
    answered = False

    async def started() -> None:
        nonlocal answered
        answered = True
        with contextlib.suppress(TelegramError):
            await query.answer("Preparing the export…")

    if len(parts) == 3 and parts[1] == "p":
        reply = await records.export_record(turn, parts[2], None)
    elif len(parts) == 4 and parts[1] == "p":
        reply = await records.export_record(turn, parts[2], parts[3], started)
    elif len(parts) == 4 and parts[1] == "n":
        reply = await records.export_note(turn, parts[2], parts[3], started)
    else:
        reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, None if answered else query)


@workers_only
async def addendum_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """✏️ Add an addendum (ad|<note>)."""
    parts = callback_parts(update)
    reply = await addenda.begin(turn, parts[1]) if len(parts) == 2 else Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)


@workers_only
async def close_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """✖ Close: the card goes, with the request that asked for it."""
    query = update.callback_query
    assert query is not None
    await deliver(context.bot, turn, Reply(), query)
    if query.message is not None:
        await close_card(context.bot, turn, query.message.message_id)
