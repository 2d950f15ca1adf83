"""/start with an invite code, /help and /privacy."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.service.deps import Turn
from bot.service.replies import MENU, Reply
from bot.telegram.access import REFUSAL, deps, make_turn, refuse, workers_only
from bot.telegram.deliver import deliver, send_html
from storage.repositories import InviteRejected

log = logging.getLogger(__name__)

HELP = (
    "<b>casenotes</b> walks you through a case note, one question at a time.\n\n"
    "/new: start a note (or tap New note)\n"
    "/back, /skip, /done: go back, skip a question, finish a list or a long answer\n"
    "/finish: go to the review once nothing required is left\n"
    "/resume: carry on with an unfinished note\n"
    "/cancel: discard the note in progress\n"
    "/last <i>name</i>: what happened last time with someone (any part of the name)\n"
    "/history <i>name</i>: their sessions, each opening the full note\n"
    "/participants: everyone you work with (add a name to search)\n"
    "/export <i>name</i>: their record as PDF, Word or text\n"
    "/progress <i>name</i>: a chart of wellbeing and actions over time\n"
    "/today: due today, unfinished notes, sessions to write up\n"
    "/actions, /reminders: open follow-ups, reminders coming up\n"
    "/calendar: planned sessions as a calendar file\n"
    "/timezone <i>Area/City</i>: set your timezone\n"
    "/settings: timezone, date order, note template, chat tidy-up\n"
    "/privacy: what is stored and how\n\n"
    "Type answers, or tap the options under the message box. Back and Cancel are always "
    "there, Skip on questions that can be left out; /back, /skip and /done work too, and so "
    "do the words back, skip and done.\n\n"
    "A saved note is never changed: to correct it, open the full note and tap Add an "
    "addendum."
)

REVIEWS_HELP = (
    "\n\n/reviews: notes your supervisor asked you to revise; answer each with an addendum"
)
SUPERVISOR_HELP = (
    "\n\n<b>Supervising</b>\n"
    "/team: your team's workers with this week's notes, late notes, unfinished drafts and "
    "overdue actions; tap a worker for their recent notes, and a note to review it\n"
    "/reviews: your team's notes from the last 30 days awaiting review (and any of yours "
    "to revise)"
)
ADMIN_HELP = (
    "\n\n<b>Admin</b> (managing workers; it opens no notes)\n"
    "/workers: everyone, with id, role, team and state\n"
    "/invite <i>role</i> [<i>team</i>]: a one-time invite (worker, supervisor or admin)\n"
    "/setteam <i>id team</i>, /setrole <i>id</i> worker|supervisor, /remove <i>id</i>"
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
    "You see only your own participants and notes.\n\n"
    "<b>This chat</b>\n"
    "What you type here also passes through Telegram and stays on Telegram's servers and your "
    "phone until it is deleted. When a note is saved or discarded, tidy-up deletes the note's "
    "questions and your answers from this chat, leaving a short card (initials, date, "
    "duration). Telegram only lets a bot delete messages for 48 hours, so tidy-up is done "
    "within that time. Turn it off in /settings if you prefer to keep the chat."
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register with an invite code, or greet a known worker; refuse anyone else."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    turn = await make_turn(update, context)
    if chat.type != "private":
        await refuse(update, context, REFUSAL if turn is None else "Please message me privately.")
        return
    if turn is None:
        code = context.args[0] if context.args else ""
        if not code:
            await refuse(update, context)
            return
        d = deps(context)
        try:
            await d.storage.workers.redeem_invite(
                code, user.id, user.full_name, d.default_timezone, now=d.now()
            )
        except InviteRejected:
            log.info("invite refused")
            await refuse(update, context)
            return
        turn = await make_turn(update, context)
        assert turn is not None
        log.info("worker %s registered", turn.worker.id)
    await greet(turn, context)


async def greet(turn: Turn, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, with the menu that matters."""
    from bot.service.replies import Notice

    w = turn.worker
    text = (
        f"Hello! You're set up as a {w.role}. Times are in {w.timezone} (change it in /settings)."
    )
    if await turn.storage.drafts.get(w.id) is not None:
        # Keep the note's own options on screen: the menu would end up typed into the note.
        more = "You have an unfinished note: keep answering, or send /resume to see its question."
        await deliver(context.bot, turn, Reply(screens=(Notice(f"{text}\n\n{more}"),)))
        return
    text += "\n\nTap New note after a session."
    await deliver(context.bot, turn, Reply(screens=(Notice(text),), options=MENU))


@workers_only
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """List the commands, with the team's and the admin's for those who have them."""
    extra = REVIEWS_HELP
    if turn.worker.role == "supervisor" and turn.worker.team:
        extra = SUPERVISOR_HELP
    if turn.worker.is_admin:
        extra += ADMIN_HELP
    await send_html(context.bot, turn.chat_id, [HELP + extra])


@workers_only
async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Explain what is stored, where and how it is protected."""
    await send_html(context.bot, turn.chat_id, [PRIVACY])
