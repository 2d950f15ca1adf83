"""Taking a note: /new, /resume, /cancel, typed answers and taps, decisions, stray media."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.service import addenda, capture, reviews
from bot.service.deps import Turn
from bot.service.replies import notice
from bot.telegram.access import workers_only
from bot.telegram.deliver import deliver

MEDIA = (
    "Please type your answer or tap an option. Photos, stickers, voice notes, files and "
    "locations can't go into a note."
)
EDITED = (
    "I don't pick up edits to messages already sent. To change an answer, use ◀ Back, or "
    "edit its section from the review; or just send the corrected text again."
)
ADDENDUM_MEDIA = (
    "An addendum is text only: please type it, or tap Cancel. Photos, stickers, voice notes "
    "and files can't be added to a note."
)
NAV_COMMANDS = {"back": "nav:back", "skip": "nav:skip", "done": "nav:done", "finish": "nav:finish"}


@workers_only
async def new_note(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Start a note, asking first if one is already open."""
    await addenda.step_aside(turn)
    await reviews.step_aside(turn)
    await deliver(context.bot, turn, await capture.start_note(turn))


@workers_only
async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Show the open note's current question again."""
    await addenda.step_aside(turn)
    await reviews.step_aside(turn)
    await deliver(context.bot, turn, await capture.resume(turn))


@workers_only
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Ask before discarding the open note (or stop the addendum or review comment being
    written)."""
    if addenda.writing(turn):
        await deliver(context.bot, turn, await addenda.cancel(turn))
        return
    if await reviews.writing(turn):
        await deliver(context.bot, turn, await reviews.cancel(turn))
        return
    await deliver(context.bot, turn, await capture.cancel(turn))


@workers_only
async def text(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Typed text or a tapped option: the answer to the current question."""
    message = update.message
    assert message is not None and message.text is not None
    if addenda.writing(turn):
        await deliver(context.bot, turn, await addenda.on_text(turn, message.text))
        return
    if await reviews.writing(turn):
        await deliver(context.bot, turn, await reviews.on_comment(turn, message.text))
        return
    await deliver(context.bot, turn, await capture.on_text(turn, message.text))


@workers_only
async def nav_command(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/back, /skip, /done and /finish: the navigation options, typed."""
    message = update.message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0].lower()
    if addenda.writing(turn):  # not a note's navigation: the addendum says what it takes
        await deliver(context.bot, turn, await addenda.on_text(turn, command))
        return
    if await reviews.writing(turn):
        await deliver(context.bot, turn, await reviews.on_comment(turn, command))
        return
    await deliver(context.bot, turn, await capture.on_nav(turn, NAV_COMMANDS[command]))


@workers_only
async def decision(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Resume / Discard buttons (d|action|draft|step)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data.split("|")[1:2] in (["resume"], ["restart"]):
        await addenda.step_aside(turn)
        await reviews.step_aside(turn)
    reply = await capture.decide(turn, query.data)
    await deliver(context.bot, turn, reply, query)
    if query.message is not None and not reply.toast:
        await _drop_buttons(context, turn.chat_id, query.message.message_id)


async def _drop_buttons(context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int) -> None:
    """A decision made: its buttons go, so the message no longer looks answerable."""
    with contextlib.suppress(TelegramError):  # already gone or not modified: fine either way
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


@workers_only
async def media(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Photos, stickers, voice, files or locations: a friendly line; the note is unchanged."""
    if addenda.writing(turn):
        await deliver(context.bot, turn, notice(ADDENDUM_MEDIA))
        return
    draft = await turn.storage.drafts.get(turn.worker.id)
    await deliver(context.bot, turn, notice(MEDIA, remember=draft.id if draft else None))


@workers_only
async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """An edited message: say that edits are not picked up (rather than ignoring it)."""
    await deliver(context.bot, turn, notice(EDITED))
