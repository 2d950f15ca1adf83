"""build_application(): the one place handlers, rate limiting and the Bot API URL are wired."""

from __future__ import annotations

import logging
import traceback

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.access import EXPIRED, chat_of, workers_only
from bot.deps import Deps
from bot.handlers import lookup, notes, onboarding, settings
from bot.messaging import send_blocks
from storage.records import WorkerRecord

log = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("new", "Start a case note"),
    BotCommand("resume", "Carry on with an unfinished note"),
    BotCommand("last", "Last session with someone"),
    BotCommand("participants", "Your recent participants"),
    BotCommand("cancel", "Discard the note in progress"),
    BotCommand("settings", "Timezone, date order, tidy-up"),
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


@workers_only
async def expired_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """Any button we don't recognise (forged, or from an older version of the bot)."""
    assert update.callback_query is not None
    await update.callback_query.answer(EXPIRED)


@workers_only
async def unknown_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, worker: WorkerRecord
) -> None:
    """A command we don't have."""
    await send_blocks(context.bot, chat_of(update), ["I don't know that command. See /help."])


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure's type only (never update content) and reassure the worker."""
    err = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    where = "?"
    if err is not None and err.__traceback__ is not None:
        frame = traceback.extract_tb(err.__traceback__)[-1]
        where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
    # Only the type and place: exception messages may quote what the worker wrote.
    log.error("handler failed on update %s: %s at %s", update_id, type(err).__name__, where)
    if (
        isinstance(update, Update)
        and update.effective_chat
        and update.effective_chat.type == "private"
    ):
        try:
            await context.bot.send_message(
                chat_of(update),
                "Sorry, something went wrong. Anything you had answered is saved; "
                "send /resume to carry on.",
            )
        except Exception:  # the error handler must never raise
            log.error("could not tell the user about the failure")


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Register every handler, grouped by feature."""
    app.add_handler(CommandHandler("start", onboarding.start))
    app.add_handler(CommandHandler("help", onboarding.help_command))
    app.add_handler(CommandHandler("privacy", onboarding.privacy))
    app.add_handler(CommandHandler("new", notes.new_note))
    app.add_handler(CommandHandler("resume", notes.resume))
    app.add_handler(CommandHandler("cancel", notes.cancel))
    app.add_handler(CommandHandler(list(notes.NAV_COMMANDS), notes.nav_command))
    app.add_handler(CommandHandler("last", lookup.last))
    app.add_handler(CommandHandler("participants", lookup.participants))
    app.add_handler(CommandHandler("settings", settings.show_settings))
    app.add_handler(CommandHandler("timezone", settings.timezone))
    app.add_handler(CallbackQueryHandler(notes.note_button, pattern=r"^n\|"))
    app.add_handler(CallbackQueryHandler(notes.draft_decision, pattern=r"^d\|"))
    app.add_handler(CallbackQueryHandler(notes.menu_button, pattern=r"^m\|"))
    app.add_handler(CallbackQueryHandler(lookup.lookup_button, pattern=r"^l\|"))
    app.add_handler(CallbackQueryHandler(settings.settings_button, pattern=r"^s\|"))
    app.add_handler(CallbackQueryHandler(expired_button))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, notes.text_answer))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & MEDIA, notes.media))
    app.add_error_handler(on_error)


def build_application(token: str, base_url: str, deps: Deps, max_retries: int = 5) -> Application:  # type: ignore[type-arg]
    """An Application talking to the Bot API at ``base_url`` with rate limiting and retries."""
    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(AIORateLimiter(max_retries=max_retries))
        .build()
    )
    app.bot_data["deps"] = deps
    add_handlers(app)
    return app


async def set_command_menu(app: Application) -> None:  # type: ignore[type-arg]
    """Publish the command menu shown by Telegram's '/' button."""
    await app.bot.set_my_commands(COMMANDS)
