"""`casenotes doctor`: is this installation ready to run? One line per check, green or red.

It only reads: no migration, no canary planted, no key file or database file created, so it
is safe beside a running bot and before the first start. The token is never printed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import typer
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.settings import Settings
from storage.crypto import IntegrityError, KeyFileError, KeyRing, load_key_ring
from storage.models import KeyCanary

#: Give up on the database or the Bot API after this long: doctor must answer, not hang.
TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One line of the report; ``ok`` None means skipped (neither green nor red)."""

    ok: bool | None
    name: str
    detail: str


def settings_check() -> tuple[Check, Settings | None]:
    """Load settings as `run` would."""
    from pydantic import ValidationError

    try:
        cfg = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).upper()
        why = first["msg"].removeprefix("Value error, ")
        name = f"CASENOTES_{where}" if where else "settings"
        return Check(False, "settings", f"{name}: {why}"), None
    return Check(True, "settings", "loaded"), cfg


def key_check(cfg: Settings) -> tuple[Check, KeyRing | None]:
    """The key file exists, only its owner can read it, and it parses."""
    try:
        ring = load_key_ring(cfg.keys_file)
    except KeyFileError as exc:
        return Check(False, "key file", str(exc).removeprefix("key file ")), None
    mode = cfg.keys_file.stat().st_mode & 0o777
    keys = len(ring.keys)
    detail = (
        f"{cfg.keys_file}: mode {mode:o}, {keys} key{'s' * (keys != 1)}, primary {ring.primary}"
    )
    return Check(True, "key file", detail), ring


async def database_checks(cfg: Settings, ring: KeyRing | None) -> list[Check]:
    """The database answers, its schema is at Alembic's head, and the key opens its canary."""
    from alembic.script import ScriptDirectory

    from storage.db import create_engine
    from storage.migrate import alembic_config

    url = make_url(cfg.database_url)
    where = url.render_as_string(hide_password=True)
    if _missing_sqlite_file(cfg.database_url):  # connecting would create it
        return [Check(False, "database", f"{where}: no such file (run `casenotes db upgrade`)")]
    head = ScriptDirectory.from_config(alembic_config(cfg.database_url)).get_current_head()
    engine = create_engine(cfg.database_url)
    try:
        async with asyncio.timeout(TIMEOUT), engine.connect() as conn:
            has_version = await conn.run_sync(
                lambda sync: sync.dialect.has_table(sync, "alembic_version")
            )
            revision = (
                await conn.scalar(text("SELECT version_num FROM alembic_version"))
                if has_version
                else None
            )
            canary = (
                await conn.scalar(select(KeyCanary.value_enc).where(KeyCanary.id == 1))
                if revision is not None
                else None
            )
    except Exception as exc:  # its text may hold the URL (and so a password): name the kind
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return [Check(False, "database", f"cannot reach {where} ({reason})")]
    finally:
        await engine.dispose()
    if revision != head:
        fix = (
            "run `casenotes db upgrade`"
            if revision is not None
            else "empty: run `casenotes db upgrade`"
        )
        state = f"schema at {revision}, head is {head}" if revision else "no schema"
        checks = [Check(False, "database", f"{where}: {state} ({fix})")]
    else:
        checks = [Check(True, "database", f"{where}: reachable, schema at head ({head})")]
    if ring is not None and revision is not None:
        checks.append(_canary_check(ring, canary))
    return checks


def _missing_sqlite_file(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    return not Path(str(url.database)).exists()


def _canary_check(ring: KeyRing, canary: bytes | None) -> Check:
    from storage.rotation import CANARY

    if canary is None:
        return Check(True, "key fits database", "no canary yet (the first start plants it)")
    try:
        fits = ring.open(canary, "key_canary.value_enc.1") == CANARY
    except IntegrityError:
        fits = False
    if not fits:
        return Check(False, "key fits database", "the key file does not open this database")
    return Check(True, "key fits database", "the key opens the database's canary")


async def telegram_checks(cfg: Settings) -> list[Check]:
    """getMe with the token, then the webhook's state (set or polling, pending, last error)."""
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.telegram.runner import redact, startup_failure

    if cfg.telegram_token is None or not cfg.telegram_token.get_secret_value():
        skipped = "no CASENOTES_TELEGRAM_TOKEN set; skipped"
        return [Check(None, "Bot API", skipped), Check(None, "webhook", skipped)]
    token = cfg.telegram_token.get_secret_value()
    where = f"{redact(cfg.telegram_api_url, token)}<redacted>"
    try:
        async with asyncio.timeout(TIMEOUT), Bot(token, base_url=cfg.telegram_api_url) as bot:
            username = bot.username
            info = await bot.get_webhook_info()
    except (TelegramError, OSError, TimeoutError) as exc:
        line = startup_failure(exc, token, cfg.telegram_api_url) or type(exc).__name__
        if isinstance(exc, TimeoutError):
            line = f"{where} did not answer in {TIMEOUT:.0f} s"
        return [Check(False, "Bot API", line), Check(None, "webhook", "skipped")]
    checks = [Check(True, "Bot API", f"{where}: the token works for @{username}")]
    pending = f"{info.pending_update_count} pending update{'s' * (info.pending_update_count != 1)}"
    if not info.url:
        return [*checks, Check(True, "webhook", f"none set (polling); {pending}")]
    state = f"{redact(info.url, token)}; {pending}"
    if info.last_error_message:
        when = info.last_error_date or datetime.now(UTC)
        error = f"last error {when:%Y-%m-%d %H:%M} UTC: {info.last_error_message}"
        # An old error with nothing waiting is history; one with updates piling up is now.
        return [*checks, Check(info.pending_update_count == 0, "webhook", f"{state}; {error}")]
    return [*checks, Check(True, "webhook", state)]


async def all_checks() -> list[Check]:
    """Every check in order; later ones are skipped when what they need failed."""
    first, cfg = settings_check()
    if cfg is None:
        return [first]
    key, ring = key_check(cfg)
    return [first, key, *await database_checks(cfg, ring), *await telegram_checks(cfg)]


MARKS = {True: ("✓", typer.colors.GREEN), False: ("✗", typer.colors.RED), None: ("-", None)}


def doctor() -> None:
    """Check settings, the key file, the database and its schema, the Bot API and webhook."""
    checks = asyncio.run(all_checks())
    for check in checks:
        mark, colour = MARKS[check.ok]
        # click drops the colour when stdout is not a terminal
        typer.secho(f"{mark} {check.name}: {check.detail}", fg=colour)
    if any(check.ok is False for check in checks):
        raise typer.Exit(code=1)
