"""Run the bot until told to stop: long polling, clean shutdown on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from telegram.ext import Application

from bot.service.deps import Deps
from bot.telegram.app import build_application, set_command_menu


def configure_logging(level: str) -> None:
    """Plain logs without message content; httpx would log request URLs, which hold the token."""
    level = level.upper()  # LOG_LEVEL=info works as well as INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # PTB's DEBUG output includes whole updates (message text); never go below INFO there.
    telegram_logger = logging.getLogger("telegram")
    telegram_logger.setLevel(max(logging.INFO, logging.getLevelName(level.upper())))


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
    async with running_bot(token, base_url, deps):
        logging.getLogger(__name__).info("bot is running; Ctrl+C to stop")
        await stop.wait()
    logging.getLogger(__name__).info("stopped cleanly")
