"""build_application(): the one place handlers, ordering, rate limiting and the Bot API URL
are wired."""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.service.deps import Deps, Turn
from bot.service.replies import EXPIRED, Reply, notice
from bot.telegram import reminding
from bot.telegram.access import chat_of, deps, workers_only
from bot.telegram.deliver import deliver, retry_tidy, sweep_cards
from bot.telegram.handlers import (
    admin,
    lookup,
    notes,
    onboarding,
    records,
    reminders,
    reviews,
    settings,
    team,
)
from bot.telegram.processor import PerUserProcessor
from bot.telegram.ratelimit import PerCallRateLimiter

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("new", "Start a case note"),
    BotCommand("resume", "Carry on with an unfinished note"),
    BotCommand("last", "Last session with someone"),
    BotCommand("history", "Someone's sessions, newest first"),
    BotCommand("participants", "Everyone you work with"),
    BotCommand("export", "A record as PDF, Word or text"),
    BotCommand("progress", "A chart of someone's progress"),
    BotCommand("today", "Due today, unfinished notes, sessions to write up"),
    BotCommand("actions", "Open follow-ups"),
    BotCommand("reminders", "Reminders coming up"),
    BotCommand("calendar", "Planned sessions for your calendar"),
    BotCommand("reviews", "Notes to review, or to revise"),
    BotCommand("cancel", "Discard the note in progress"),
    BotCommand("settings", "Timezone, template, tidy-up, reminders"),
    BotCommand("privacy", "What is stored and how"),
    BotCommand("help", "How this works"),
]
MEDIA = (
    filters.PHOTO
    | filters.Sticker.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.VENUE
    | filters.POLL
    | filters.Dice.ALL
)
NEW = filters.UpdateType.MESSAGE
NOT_SAVED = (
    "Sorry, that didn't go through, so that last message wasn't saved. Please send it again."
)
TIDY_RETRY_EVERY = 300.0
CARD_SWEEP_EVERY = 60.0


@workers_only
async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """Any button we don't recognise (forged, or from an older version of the bot)."""
    reply = Reply(toast=EXPIRED)
    await deliver(context.bot, turn, reply, update.callback_query)


@workers_only
async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
    """A command we don't have."""
    await deliver(context.bot, turn, notice("I don't know that command. See /help."))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure's type and place only (never content) and tell the worker the truth:
    use cases commit before they return, so a failure here means nothing was stored."""
    err = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    where = "?"
    if err is not None and err.__traceback__ is not None:
        frame = traceback.extract_tb(err.__traceback__)[-1]
        where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
    kind = "database" if isinstance(err, SQLAlchemyError) else type(err).__name__
    log.error("handler failed on update %s: %s at %s", update_id, kind, where)
    if (
        isinstance(update, Update)
        and update.effective_chat
        and update.effective_chat.type == "private"
        and not isinstance(err, TelegramError)
    ):
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(NOT_SAVED, show_alert=True)
            else:
                await context.bot.send_message(chat_of(update), NOT_SAVED)
        except Exception:  # the error handler must never raise
            log.error("could not tell the user about the failure")


async def _retry_tidy(context: ContextTypes.DEFAULT_TYPE) -> None:
    done = await retry_tidy(context.bot, deps(context))
    if done:
        log.info("finished %d postponed tidy-ups", done)


async def _sweep_cards(context: ContextTypes.DEFAULT_TYPE) -> None:
    done = await sweep_cards(context.bot, deps(context))
    if done:
        log.info("tidied away %d cards", done)


async def _log_audit_head(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write the audit chain's head to the log (at start-up, then daily): a copy outside
    the database, so cutting entries off the end of the chain can be caught as well."""
    seq, digest = await deps(context).storage.audit.head()
    log.info("audit chain head: entry %d, hash %s", seq, digest)


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Register every handler, grouped by feature. Commands run only from new messages."""
    app.add_handler(CommandHandler("start", onboarding.start, filters=NEW))
    app.add_handler(CommandHandler("help", onboarding.help_command, filters=NEW))
    app.add_handler(CommandHandler("privacy", onboarding.privacy, filters=NEW))
    app.add_handler(CommandHandler("new", notes.new_note, filters=NEW))
    app.add_handler(CommandHandler("resume", notes.resume, filters=NEW))
    app.add_handler(CommandHandler("cancel", notes.cancel, filters=NEW))
    app.add_handler(CommandHandler(list(notes.NAV_COMMANDS), notes.nav_command, filters=NEW))
    app.add_handler(CommandHandler("last", lookup.last, filters=NEW))
    app.add_handler(CommandHandler("participants", lookup.participants, filters=NEW))
    app.add_handler(CommandHandler("history", records.history, filters=NEW))
    app.add_handler(CommandHandler("export", records.export, filters=NEW))
    app.add_handler(CommandHandler("progress", records.progress, filters=NEW))
    app.add_handler(CommandHandler("settings", settings.show_settings, filters=NEW))
    app.add_handler(CommandHandler("timezone", settings.timezone, filters=NEW))
    app.add_handler(CommandHandler("actions", reminders.actions, filters=NEW))
    app.add_handler(CommandHandler("reminders", reminders.coming_up, filters=NEW))
    app.add_handler(CommandHandler("today", reminders.today, filters=NEW))
    app.add_handler(CommandHandler("calendar", reminders.calendar_file, filters=NEW))
    app.add_handler(CommandHandler("team", team.show_team, filters=NEW))
    app.add_handler(CommandHandler("reviews", reviews.show_reviews, filters=NEW))
    app.add_handler(CommandHandler("workers", admin.workers, filters=NEW))
    app.add_handler(CommandHandler("invite", admin.invite, filters=NEW))
    app.add_handler(CommandHandler("setteam", admin.set_team, filters=NEW))
    app.add_handler(CommandHandler("setrole", admin.set_role, filters=NEW))
    app.add_handler(CommandHandler("remove", admin.remove, filters=NEW))
    app.add_handler(CallbackQueryHandler(notes.decision, pattern=r"^d\|"))
    app.add_handler(CallbackQueryHandler(lookup.person_button, pattern=r"^l\|"))
    app.add_handler(CallbackQueryHandler(lookup.page_button, pattern=r"^p\|"))
    app.add_handler(CallbackQueryHandler(records.note_button, pattern=r"^n\|"))
    app.add_handler(CallbackQueryHandler(records.history_button, pattern=r"^h\|"))
    app.add_handler(CallbackQueryHandler(records.progress_button, pattern=r"^g\|"))
    app.add_handler(CallbackQueryHandler(records.export_button, pattern=r"^x\|"))
    app.add_handler(CallbackQueryHandler(records.addendum_button, pattern=r"^ad\|"))
    app.add_handler(CallbackQueryHandler(records.close_button, pattern=r"^c$"))
    app.add_handler(CallbackQueryHandler(settings.settings_button, pattern=r"^s\|"))
    app.add_handler(CallbackQueryHandler(reminders.reminder_button, pattern=r"^r\|"))
    app.add_handler(CallbackQueryHandler(reminders.action_button, pattern=r"^a\|"))
    app.add_handler(CallbackQueryHandler(team.worker_button, pattern=r"^tm\|"))
    app.add_handler(CallbackQueryHandler(reviews.review_button, pattern=r"^rv\|"))
    app.add_handler(CallbackQueryHandler(reviews.list_button, pattern=r"^rq(\|[0-9]{1,6})?$"))
    app.add_handler(CallbackQueryHandler(reviews.answer_button, pattern=r"^ra\|"))
    app.add_handler(CallbackQueryHandler(expired_button))
    app.add_handler(MessageHandler(NEW & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(NEW & filters.TEXT, notes.text))
    app.add_handler(MessageHandler(NEW & MEDIA, notes.media))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, notes.edited))
    app.add_error_handler(on_error)


#: How often the audit chain's head is written to the log (also once at start-up).
AUDIT_HEAD_EVERY = 24 * 60 * 60


def build_application(
    token: str,
    base_url: str,
    deps: Deps,
    retry_budget: float = 20.0,
    reminder_config: reminding.ReminderConfig | None = None,
) -> Application:  # type: ignore[type-arg]
    """An Application at ``base_url``: per-user ordering, per-call retries, tidy-up retries,
    the reminder sweep."""
    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(PerCallRateLimiter(budget=retry_budget))
        .concurrent_updates(PerUserProcessor())
        .build()
    )
    app.bot_data["deps"] = deps
    add_handlers(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_retry_tidy, interval=TIDY_RETRY_EVERY, first=60)
        app.job_queue.run_repeating(_sweep_cards, interval=CARD_SWEEP_EVERY, first=30)
        # first=0 would be in the past once the scheduler starts, and APScheduler skips it.
        app.job_queue.run_repeating(_log_audit_head, interval=AUDIT_HEAD_EVERY, first=1)
    reminding.schedule(app, reminder_config)
    return app


async def set_command_menu(app: Application) -> None:  # type: ignore[type-arg]
    """Publish the command menu shown by Telegram's '/' button."""
    await app.bot.set_my_commands(COMMANDS)
