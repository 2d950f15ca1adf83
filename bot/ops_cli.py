"""`casenotes init`, `backup` and `restore`: a first run, and copies that only the key opens."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from bot.cli import fail, settings, with_storage
from storage.backup import BackupError, create_private
from storage.crypto import (
    KeyFileError,
    KeyRing,
    key_file_lock,
    load_key_ring,
    write_key_ring,
)
from storage.dumps import backup_database, restore_database
from storage.rotation import check_keys
from storage.service import Storage

TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


def _ask_token(compose: bool) -> str:
    """Prompt, hidden, until the answer looks like a token (or is empty, for the demo)."""
    while True:
        value = typer.prompt(
            "Telegram bot token from @BotFather" + ("" if compose else " (empty: demo only)"),
            default="",
            show_default=False,
            hide_input=True,
        ).strip()
        if not value or TOKEN.fullmatch(value):
            return str(value)
        # click says only "invalid" for hidden input; say why, without echoing it
        typer.echo("That does not look like a token from @BotFather (123456:ABC...).")


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter("use an IANA name like Europe/London") from None
    return value.strip()


def _write(path: Path, text: str) -> None:
    with create_private(path) as fh:
        fh.write(text.encode())


def _refuse_existing(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            raise fail(f"{path} already exists; refusing to overwrite it (nothing was written)")


def init(
    compose: Annotated[
        bool, typer.Option("--compose", help="Write ./secrets/ for docker-compose.yml instead.")
    ] = False,
    keys_file: Annotated[
        Path, typer.Option(envvar="CASENOTES_KEYS_FILE", help="Where the key file goes.")
    ] = Path("data/keys.json"),
) -> None:
    """First run: create the key and write .env (or ./secrets/ for compose), all mode 0600."""
    env_file = Path(".env")
    if compose:
        folder = Path("secrets")
        files = [folder / n for n in ("telegram_token", "db_password", "keys.json")]
        _refuse_existing(*files, env_file)
    else:
        _refuse_existing(keys_file, env_file)
    typer.echo("casenotes first run. The token is not shown as you type.")
    token = _ask_token(compose)
    if compose and not token:
        raise fail("compose needs the bot's token; nothing was written")
    zone = typer.prompt("Timezone for new workers", default="Europe/London", value_proc=_timezone)
    try:
        if compose:
            folder.mkdir(mode=0o700, exist_ok=True)
            with key_file_lock(folder / "keys.json"):  # as `keys new` does
                write_key_ring(folder / "keys.json", KeyRing.generate(), overwrite=False)
            _write(folder / "telegram_token", token + "\n")
            _write(folder / "db_password", secrets.token_urlsafe(32) + "\n")
            ids = f"CASENOTES_UID={os.getuid()}\nCASENOTES_GID={os.getgid()}\n"
            _write(
                env_file,
                f"# docker compose reads this; secrets are in ./secrets/\n{ids}"
                f"CASENOTES_DEFAULT_TIMEZONE={zone}\n",
            )
            typer.echo(f"wrote {', '.join(map(str, files))} and .env (mode 0600)")
            typer.echo("next: docker compose up -d --build")
            if os.getuid() == 0:
                typer.echo("note: written as root, so the bot's container will run as root too")
        else:
            url = typer.prompt("Database URL", default="sqlite+aiosqlite:///./data/casenotes.db")
            with key_file_lock(keys_file):  # as `keys new` does
                write_key_ring(keys_file, KeyRing.generate(), overwrite=False)
            _write(
                env_file,
                f"CASENOTES_TELEGRAM_TOKEN={token}\nCASENOTES_DATABASE_URL={url}\n"
                f"CASENOTES_KEYS_FILE={keys_file}\nCASENOTES_DEFAULT_TIMEZONE={zone}\n",
            )
            typer.echo(f"wrote {keys_file} and .env (mode 0600)")
            typer.echo("next: casenotes run" if token else "next: casenotes demo")
    except (KeyFileError, BackupError) as exc:
        raise fail(str(exc)) from None
    typer.echo("Back the key file up apart from the database: lose the key, lose the notes.")


def _ring() -> tuple[str, KeyRing]:
    cfg = settings()
    try:
        return cfg.database_url, load_key_ring(cfg.keys_file)
    except KeyFileError as exc:
        raise fail(str(exc)) from None


def backup(
    out: Annotated[Path, typer.Option("--out", help="The new backup file (never overwritten).")],
) -> None:
    """Write an encrypted, consistent copy of the database (mode 0600)."""
    url, ring = _ring()
    try:
        kind = backup_database(url, ring, out)
    except BackupError as exc:
        raise fail(str(exc)) from None
    size = out.stat().st_size
    typer.echo(f"wrote an encrypted {kind} backup to {out} ({size:,} bytes)")
    typer.echo("it opens only with this key file: keep a copy of the key apart from it")


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by casenotes backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace an SQLite database that holds data.")
    ] = False,
) -> None:
    """Put a backup in place of the database, then open every value to prove the key fits."""
    url, ring = _ring()
    try:
        kind = restore_database(url, ring, file, force=force)
    except BackupError as exc:
        raise fail(str(exc)) from None

    async def _check(st: Storage) -> tuple[int, int]:
        report = await check_keys(st.sessions, st.ring)
        return sum(report.by_key.values()), sum(report.failures.values())

    opened, failed = with_storage(_check)
    if failed:
        raise fail(f"restored the {kind} backup, but {failed} values do not open with this key")
    typer.echo(f"restored the {kind} backup; every encrypted value opens ({opened})")


def register(app: typer.Typer) -> None:
    """Add these commands to the main `casenotes` app."""
    app.command("init")(init)
    app.command("backup")(backup)
    app.command("restore")(restore)
