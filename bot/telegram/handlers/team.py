"""/team and its worker buttons (tm|<worker>[|<page>])."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.service import team
from bot.service.deps import Turn
from bot.service.replies import EXPIRED, Reply
from bot.telegram.access import workers_only
from bot.telegram.deliver import deliver
from bot.telegram.handlers.records import PAGE, callback_parts

#: A worker id in a button: ASCII digits only.
WORKER = PAGE


@workers_only
async def show_team(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/team: the supervisor's team with this week's figures."""
    await deliver(context.bot, turn, await team.team(turn))


@workers_only
async def worker_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """A worker on /team (tm|<worker>) opens their notes; a page (tm|<worker>|<page>)
    replaces the page shown."""
    parts = callback_parts(update)
    if len(parts) == 2 and WORKER.fullmatch(parts[1]):
        reply = await team.worker_notes(turn, int(parts[1]))
    elif len(parts) == 3 and WORKER.fullmatch(parts[1]) and PAGE.fullmatch(parts[2]):
        reply = await team.worker_notes(turn, int(parts[1]), int(parts[2]), edit=True)
    else:
        reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)
