"""/reviews and the review buttons: rv|<note> (the review screen), rv|ok|<note> and
rv|fix|<note> (the verdicts), rq[|<page>] (the list), ra|<note> (answer with an addendum)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.service import reviews
from bot.service.deps import Turn
from bot.service.replies import EXPIRED, Reply
from bot.telegram.access import workers_only
from bot.telegram.deliver import deliver
from bot.telegram.handlers.records import PAGE, callback_parts

VERDICTS = {"ok": reviews.mark_reviewed, "fix": reviews.ask_revision}


@workers_only
async def show_reviews(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """/reviews: notes awaiting review (supervisors), notes to revise (their workers)."""
    for reply in await reviews.listing(turn):
        await deliver(context.bot, turn, reply)


@workers_only
async def review_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """rv|<note>: the review screen; rv|ok|<note>, rv|fix|<note>: the verdicts."""
    parts = callback_parts(update)
    if len(parts) == 2:
        reply = await reviews.screen(turn, parts[1])
    elif len(parts) == 3 and parts[1] in VERDICTS:
        reply = await VERDICTS[parts[1]](turn, parts[2])
    else:
        reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)


@workers_only
async def list_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """rq (Open on a notification): /reviews afresh; rq|<page>: another page in place."""
    parts = callback_parts(update)
    query = update.callback_query
    if parts == ["rq"]:
        shown = await reviews.listing(turn)
        await deliver(context.bot, turn, shown[0], query)
        for reply in shown[1:]:
            await deliver(context.bot, turn, reply)
        return
    if len(parts) == 2 and PAGE.fullmatch(parts[1]):
        reply = await reviews.awaiting(turn, int(parts[1]), edit=True)
    else:
        reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, query)


@workers_only
async def answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """ra|<note>: answer a revision with an addendum (the ordinary addendum flow)."""
    parts = callback_parts(update)
    reply = await reviews.answer(turn, parts[1]) if len(parts) == 2 else Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)
