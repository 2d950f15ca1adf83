"""Webhook mode: Telegram posts each update to us, so several instances can serve one bot.

Served with starlette + uvicorn as in PTB's custom-webhook example, not PTB's own tornado
server (``Updater.start_webhook``): that one serves the update path only, and we also answer
``GET /healthz`` for the proxy and the orchestrator. The secret-token check is ours too: a
request without Telegram's ``X-Telegram-Bot-Api-Secret-Token`` gets 403 before its body is
read. An accepted update goes on the Application's queue, as a polled one does, and is
processed with the same per-user ordering.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.service.deps import Deps
from bot.settings import Settings
from bot.telegram.app import build_application, set_command_menu
from bot.telegram.runner import redact

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
#: A health probe must answer quickly even when the database hangs.
HEALTH_TIMEOUT = 3.0
#: Telegram's updates are small; a bigger body is not one of them.
MAX_BODY = 1 << 20


@dataclass(frozen=True)
class WebhookConfig:
    """Where Telegram posts (``url``) and where we listen (``listen``, ``port``, ``path``)."""

    url: str
    secret: str = field(repr=False)
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "/telegram"

    @classmethod
    def from_settings(cls, cfg: Settings) -> WebhookConfig:
        """The webhook settings, or ValueError naming the one that is missing."""
        if not cfg.webhook_url:
            raise ValueError("CASENOTES_WEBHOOK_URL is not set (the public https:// address)")
        if cfg.webhook_secret is None:
            raise ValueError("CASENOTES_WEBHOOK_SECRET is not set (1-256 of A-Z a-z 0-9 _ -)")
        path = cfg.webhook_path or urlsplit(cfg.webhook_url).path or "/"
        if path == HEALTH_PATH:
            raise ValueError("CASENOTES_WEBHOOK_PATH must not be /healthz; set another path")
        return cls(
            cfg.webhook_url,
            cfg.webhook_secret.get_secret_value(),
            cfg.webhook_listen,
            cfg.webhook_port,
            path,
        )


async def schema_revision(engine: AsyncEngine) -> str | None:
    """The database's Alembic revision, or None if the database cannot be reached in time."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT), engine.connect() as conn:
            revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception as exc:  # any failure means unhealthy; its text may hold the URL
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return None
    return str(revision) if revision is not None else None


def web_app(app: Application, hook: WebhookConfig, engine: AsyncEngine) -> Starlette:  # type: ignore[type-arg]
    """The ASGI app: updates on ``hook.path`` (secret checked), health on /healthz."""
    secret = hook.secret.encode()

    async def take_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            update = Update.de_json(await request.json(), app.bot)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return Response(status_code=400)  # RecursionError: absurdly nested JSON
        await app.update_queue.put(update)
        return Response()

    async def health(_request: Request) -> Response:
        revision = await schema_revision(engine)
        if revision is None:
            return JSONResponse({"database": "unreachable"}, status_code=503)
        return JSONResponse({"database": "ok", "schema": revision})

    return Starlette(
        routes=[
            Route(hook.path, take_update, methods=["POST"]),
            Route(HEALTH_PATH, health, methods=["GET"]),
        ]
    )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(hook: WebhookConfig) -> socket.socket:
    """Bind the listening socket ourselves: uvicorn would sys.exit() on a taken port."""
    family = socket.AF_INET6 if ":" in hook.listen else socket.AF_INET
    try:
        return socket.create_server((hook.listen, hook.port), family=family)
    except OSError as exc:
        why = os.strerror(exc.errno) if exc.errno else str(exc)
        raise OSError(f"cannot listen on {hook.listen}:{hook.port}: {why}") from None


@contextlib.asynccontextmanager
async def running_webhook_bot(
    token: str, base_url: str, deps: Deps, hook: WebhookConfig
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start the Application, register the webhook and serve it; stop serving on exit.

    The webhook stays registered on exit: other instances behind the same URL go on serving.
    """
    app = build_application(token, base_url, deps)
    config = uvicorn.Config(
        web_app(app, hook, deps.storage.engine), log_config=None, access_log=False, lifespan="off"
    )
    server = _Server(config)
    listening = listen(hook)  # first: a taken port stops start-up before Telegram is told
    try:
        async with app:
            await set_command_menu(app)
            await app.bot.set_webhook(
                hook.url,
                secret_token=hook.secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            await app.start()
            serving = asyncio.create_task(server.serve(sockets=[listening]))
            try:
                while not server.started:
                    if serving.done():
                        serving.result()  # raises whatever stopped it
                        raise OSError(f"cannot serve on {hook.listen}:{hook.port}")
                    await asyncio.sleep(0.01)
                yield app
            finally:
                server.should_exit = True
                await asyncio.wait([serving])
                await app.stop()  # after the server: updates already taken are answered
    finally:
        listening.close()


async def run_webhook_until_signalled(
    token: str, base_url: str, deps: Deps, hook: WebhookConfig
) -> None:
    """Serve the webhook until SIGINT or SIGTERM, then shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, deps.storage.ring.reload)  # re-read the key file
    async with running_webhook_bot(token, base_url, deps, hook):
        # Operators sometimes put the token in the path: never log it.
        log.info("webhook is served on %s:%d%s", hook.listen, hook.port, redact(hook.path, token))
        await stop.wait()
    log.info("stopped cleanly")
