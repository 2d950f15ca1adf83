"""Run the bot until told to stop: long polling, clean shutdown on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import TextIO

import httpx
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import (
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from bot.logs import JsonFormatter, MigrationChatter, RequestIdFilter, TextFormatter
from bot.service.deps import Deps
from bot.telegram.app import build_application, set_command_menu

DEFAULT_API_URL = "https://api.telegram.org/bot"


def configure_logging(
    level: str, fmt: str = "text", stream: TextIO | None = None
) -> logging.Handler | None:
    """Log to stderr (or ``stream``) as text or JSON lines, without message content.

    httpx would log request URLs, which hold the token; PTB's DEBUG output holds whole
    updates. Like ``basicConfig``, leaves a root logger that already has handlers (pytest's)
    as it is unless given a stream; calling again replaces the handler this installed.
    """
    level = level.upper()  # LOG_LEVEL=info works as well as INFO
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "casenotes", False)]:
        root.removeHandler(old)
    handler = None
    if stream is not None or not root.handlers:
        handler = logging.StreamHandler(stream)
        handler.casenotes = True  # type: ignore[attr-defined]
        handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
        handler.addFilter(RequestIdFilter())
        handler.addFilter(MigrationChatter())
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # PTB's DEBUG output includes whole updates (message text); never go below INFO there.
    telegram_logger = logging.getLogger("telegram")
    telegram_logger.setLevel(max(logging.INFO, logging.getLevelName(level)))
    return handler


def startup_failure(exc: BaseException, token: str | None, api_url: str) -> str | None:
    """One line saying why the bot could not start, never the token; None if not ours to say."""
    where = redact(api_url, token)
    if isinstance(exc, InvalidToken):
        if api_url == DEFAULT_API_URL:
            return "Telegram refused the bot token (check CASENOTES_TELEGRAM_TOKEN)"
        return (
            f"the Bot API at {where}<redacted> refused the bot token or is not a Bot API "
            "(check CASENOTES_TELEGRAM_TOKEN and CASENOTES_TELEGRAM_API_URL)"
        )
    if isinstance(exc, Conflict):
        return "another instance is already polling with this bot token; stop it first"
    if isinstance(exc, RetryAfter):
        return f"Telegram asks the bot to wait {exc.retry_after} s (flood control); try later"
    if isinstance(exc, TimedOut):
        return f"the Bot API at {where}<redacted> did not answer in time (check the network)"
    if isinstance(exc, NetworkError | httpx.HTTPError):
        why = redact(str(exc), token) or type(exc).__name__
        return (
            f"cannot reach the Bot API at {where}<redacted> ({why}; "
            "check CASENOTES_TELEGRAM_API_URL)"
        )
    if isinstance(exc, TelegramError):
        return f"the Bot API refused to start the bot: {redact(exc.message, token)}"
    if isinstance(exc, OSError):  # e.g. the webhook's port is taken
        return f"could not start: {redact(str(exc), token) or type(exc).__name__}"
    if isinstance(exc, SQLAlchemyError):
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return f"the database failed while starting ({reason})"
    return None


def redact(text: str, token: str | None) -> str:
    """``text`` with the bot token (if any) replaced by <redacted>."""
    return text.replace(token, "<redacted>") if token else text


@contextlib.asynccontextmanager
async def running_bot(
    token: str, base_url: str, deps: Deps, poll_timeout: int = 10
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start the Application and its poller; stop both on exit."""
    app = build_application(token, base_url, deps)
    async with app:
        await set_command_menu(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, drop_pending_updates=False
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def run_until_signalled(token: str, base_url: str, deps: Deps) -> None:
    """Poll until SIGINT or SIGTERM, then shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, deps.storage.ring.reload)  # re-read the key file
    async with running_bot(token, base_url, deps):
        logging.getLogger(__name__).info("bot is running; Ctrl+C to stop")
        await stop.wait()
    logging.getLogger(__name__).info("stopped cleanly")
