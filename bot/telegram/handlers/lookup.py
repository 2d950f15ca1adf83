"""'What happened last time with Alex?': /last, /participants and their buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.service import lookup
from bot.service.deps import Turn
from bot.service.replies import EXPIRED, Reply
from bot.telegram.access import workers_only
from bot.telegram.deliver import deliver
from bot.telegram.handlers.records import PAGE


@workers_only
async def last(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/last [name]: the last session with someone."""
    name = " ".join(context.args or [])
    await deliver(context.bot, turn, await lookup.last(turn, name))


@workers_only
async def participants(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/participants [name]: everyone, paged, or a search."""
    search = " ".join(context.args or [])
    await deliver(context.bot, turn, await lookup.participants(turn, search))


@workers_only
async def person_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """A participant button (l|<id>)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    reply = await lookup.open_person(turn, query.data.removeprefix("l|"))
    await deliver(context.bot, turn, reply, query)


@workers_only
async def page_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """A page of /participants (p|<page>): it replaces the page shown."""
    query = update.callback_query
    assert query is not None and query.data is not None
    page = query.data.removeprefix("p|")
    if PAGE.fullmatch(page):
        reply = await lookup.participants(turn, page=int(page), edit=True)
    else:
        reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, query)
