"""/start with an invite code, /help and /privacy."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import REFUSAL, chat_of, current_worker, refuse, workers_only
from bot.deps import deps
from bot.keyboards import simple_keyboard
from bot.messaging import send_blocks
from bot.note_flow import pause
from storage.records import WorkerRecord
from storage.repositories import InviteRejected

log = logging.getLogger(__name__)

HELP = (
    "<b>casenotes</b> walks you through a case note, one question at a time.\n\n"
    "/new: start a note (or tap New note)\n"
    "/resume: carry on with an unfinished note\n"
    "/cancel: discard the note in progress\n"
    "/last <i>name</i>: what happened last time with someone\n"
    "/participants: your recent participants\n"
    "/settings: timezone, date order, chat tidy-up\n"
    "/privacy: what is stored and how\n\n"
    "Type answers, or tap the buttons. Back, Skip and Cancel are always on the buttons."
)

PRIVACY = (
    "<b>What casenotes stores</b>\n"
    "Your notes, drafts, participant names, ages and pronouns, agreed actions and reminder "
    "texts. Each value is encrypted with AES-256-GCM before it reaches the database, bound to "
    "its own row so it can't be swapped into another, with keys kept in a separate key file "
    "on the server.\n\n"
    "Finding someone by name uses a keyed hash (a blind index), so names are never stored or "
    "searched in plain text. Logs record what happened (e.g. 'note saved'), never what was "
    "written.\n\n"
    "You see only your own participants and notes. When a note is saved, the bot deletes "
    "your answers and its questions from this chat (turn that off in /settings), leaving a "
    "short card, so the text does not linger on your phone."
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register with an invite code, or greet a known worker; refuse anyone else."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    worker = await current_worker(update, context)
    if chat.type != "private":
        await refuse(update, REFUSAL if worker is None else "Please message me privately.")
        return
    if worker is None:
        code = context.args[0] if context.args else ""
        if not code:
            await refuse(update)
            return
        d = deps(context)
        try:
            worker = await d.storage.workers.redeem_invite(
                code, user.id, user.full_name, d.default_timezone, now=d.now()
            )
        except InviteRejected:
            log.info("invite refused")
            await refuse(update)
            return
        log.info("worker %s registered", worker.id)
    await greet(update, context, worker)


async def greet(update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord) -> None:
    """Welcome, with the one button that matters."""
    keyboard = simple_keyboard([("New note", "m|new"), ("Last session", "m|last")])
    text = (
        f"Hello! You're set up as a {worker.role}. Times are in {worker.timezone} "
        "(change it in /settings).\n\nTap New note after a session."
    )
    await send_blocks(context.bot, chat_of(update), [text], keyboard)


@workers_only
async def help_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """List the commands."""
    d = deps(context)
    await pause(d, await d.storage.drafts.get(worker.id))
    await send_blocks(context.bot, chat_of(update), [HELP])


@workers_only
async def privacy(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Explain what is stored, where and how it is protected."""
    d = deps(context)
    await pause(d, await d.storage.drafts.get(worker.id))
    await send_blocks(context.bot, chat_of(update), [PRIVACY])
