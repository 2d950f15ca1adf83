"""The `casenotes` command: database, keys, workers, and running the bot or the demo."""

from __future__ import annotations

import asyncio
import getpass
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.settings import Settings
from storage.binding import BindReport
from storage.crypto import (
    RELOAD_INTERVAL,
    IntegrityError,
    KeyFileError,
    KeyRing,
    key_file_lock,
    load_key_ring,
    write_key_ring,
)
from storage.db import DatabaseUnavailable
from storage.records import WorkerRecord
from storage.rotation import check_keys, reseal_all
from storage.service import Storage, open_storage

if TYPE_CHECKING:
    from bot.telegram.webhook import WebhookConfig

app = typer.Typer(
    help="casenotes: encrypted case notes for peer-support workers.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
workers_app = typer.Typer(help="Who may use the bot.", no_args_is_help=True)


@app.callback()
def _private_files() -> None:
    """Whatever a command creates (the database, its journal, the data folder, an export) is
    readable by its owner only."""
    os.umask(0o077)


app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(workers_app, name="workers")

T = TypeVar("T")


def fail(message: str) -> typer.Exit:
    """Print one readable line to stderr and return an exit to raise."""
    typer.secho(f"casenotes: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def settings() -> Settings:
    """Load settings or stop with one line naming what is wrong."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        why = first["msg"].removeprefix("Value error, ")
        if not where:  # a check across settings names its variables itself
            raise fail(f"bad settings: {why}") from None
        raise fail(f"bad setting CASENOTES_{where.upper()}: {why}") from None


def actor() -> str:
    """'cli:<login>': who ran the command, for the audit trail."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = f"uid{os.getuid()}"
    return f"cli:{who}"[:64]


def with_storage(work: Callable[[Storage], Awaitable[T]], cfg: Settings | None = None) -> T:
    """Open storage, run ``work`` and close, turning known faults into one line."""
    cfg = cfg or settings()

    async def _main() -> T:
        st = await open_storage(cfg.database_url, cfg.keys_file)
        try:
            return await work(st)
        finally:
            await st.close()

    try:
        return asyncio.run(_main())
    except (KeyFileError, DatabaseUnavailable, IntegrityError) as exc:
        raise fail(str(exc)) from None


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done automatically by `run` and `demo`)."""

    async def _noop(_st: Storage) -> None:
        return None

    with_storage(_noop)
    typer.echo("database is up to date")


@db_app.command("bind-owners")
def db_bind_owners(
    batch: Annotated[int, typer.Option(help="Rows per transaction.")] = 200,
) -> None:
    """Bind every stored value to its worker now (start-up does it otherwise); rerun to
    resume."""
    cfg = settings()
    heard: list[BindReport] = []

    async def _bind() -> None:
        st = await open_storage(
            cfg.database_url,
            cfg.keys_file,
            bind_batch=batch,
            on_binding=heard.append,
            resume_binding=True,
        )
        await st.close()

    started = time.monotonic()
    try:
        asyncio.run(_bind())
    except (KeyFileError, DatabaseUnavailable, IntegrityError) as exc:
        raise fail(str(exc)) from None
    if not heard:
        typer.echo("every value was already bound to its owner")
        return
    for table, count in sorted(heard[0].by_table.items()):
        typer.echo(f"{table}: bound {count} values")
    total = sum(heard[0].by_table.values())
    typer.echo(f"bound {total} values to their owners in {time.monotonic() - started:.1f} s")


WAITING_FOR_LOCK = "waiting for another key command to finish"


@keys_app.command("new")
def keys_new() -> None:
    """Create a key file (mode 0600); refuses to overwrite an existing one."""
    cfg = settings()
    try:
        # A second `keys new` at once waits, then finds the file made and refuses.
        with key_file_lock(cfg.keys_file, lambda: typer.echo(WAITING_FOR_LOCK)):
            write_key_ring(cfg.keys_file, KeyRing.generate(), overwrite=False)
    except KeyFileError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"wrote {cfg.keys_file} (mode 600). Back it up apart from the database.")


@keys_app.command("check")
def keys_check() -> None:
    """Open every encrypted value and report how many each key sealed."""

    async def _check(st: Storage) -> int:
        report = await check_keys(st.sessions, st.ring)
        for kid, count in sorted(report.by_key.items()):
            mark = " (primary)" if kid == st.ring.primary else ""
            typer.echo(f"key {kid}{mark}: {count} values")
        for table, count in sorted(report.failures.items()):
            typer.echo(f"FAILED: {count} values in {table} did not decrypt")
        return sum(report.failures.values())

    failures = with_storage(_check)
    if failures:
        raise typer.Exit(code=1)
    typer.echo("all values decrypt")


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(help="Rows per transaction.")] = 200,
) -> None:
    """Add a new primary key and re-encrypt every value with it; rerun to resume. A running
    bot follows the key file by itself (or at once on SIGHUP): no restart."""
    cfg = settings()
    try:
        asyncio.run(rotate_keys(cfg.database_url, cfg.keys_file, batch, typer.echo))
    except (KeyFileError, DatabaseUnavailable, IntegrityError) as exc:
        raise fail(str(exc)) from None


#: How long after RELOAD_INTERVAL a value a bot sealed with the old key may take to commit.
COMMIT_MARGIN = 0.5


async def rotate_keys(url: str, keys_file: Path, batch: int, say: Callable[[str], None]) -> None:
    """Rotate under the key file's lock: a second rotation waits, then re-reads the file and
    builds on this one's keys instead of dropping them.

    A running bot seals with the old primary until it notices the file changed (within
    RELOAD_INTERVAL); a later pass re-seals what it wrote meanwhile, repeated (at most three
    times) while a pass still finds such values.
    """
    with key_file_lock(keys_file, lambda: say(WAITING_FOR_LOCK)):
        ring = load_key_ring(keys_file)
        if ring.rotation_pending:
            say(f"resuming the unfinished rotation to key {ring.primary}")
        else:
            ring = ring.with_new_primary()
            write_key_ring(keys_file, ring, overwrite=True)
            say(f"new primary key {ring.primary} written to {keys_file}")
        written = time.monotonic()
        st = await open_storage(url, keys_file)
        try:
            report = await reseal_all(st.sessions, ring, batch=batch)
            settled = written + RELOAD_INTERVAL + COMMIT_MARGIN
            await asyncio.sleep(max(0.0, settled - time.monotonic()))
            for _ in range(3):  # again while a pass still finds values a bot sealed late
                late = (await reseal_all(st.sessions, ring, batch=batch)).by_table
                report.by_table.update(late)
                if not late:
                    break
        finally:
            await st.close()
        for table, count in sorted(report.by_table.items()):
            say(f"{table}: re-encrypted {count} values")
        say(f"re-encrypted {sum(report.by_table.values())} values in all")
        write_key_ring(keys_file, ring.finished_rotation(), overwrite=True)
    say("rotation complete; old keys are kept so backups stay readable")


def _print_invite(code: str, username: str | None, expires: str) -> None:
    typer.echo(f"invite code: {code}")
    if username:
        typer.echo(f"link: https://t.me/{username}?start={code}")
    else:
        typer.echo(f"the new worker sends the bot: /start {code}")
    typer.echo(f"valid until {expires} (72 hours), once")


async def _bot_username(cfg: Settings) -> str | None:
    if cfg.bot_username:
        return cfg.bot_username
    if cfg.telegram_token is None:
        return None
    from telegram import Bot

    try:
        async with Bot(cfg.telegram_token.get_secret_value(), base_url=cfg.telegram_api_url) as tg:
            return tg.username
    except Exception:  # any failure just means no link; the code still works
        return None


@workers_app.command("invite")
def workers_invite(
    role: Annotated[
        str, typer.Option(help="worker, supervisor or admin (a worker who manages workers)")
    ] = "worker",
    team: Annotated[str | None, typer.Option(help="Team name")] = None,
) -> None:
    """Create a one-time invite (valid 72 hours) and print its code and deep link."""
    cfg = settings()
    if role not in ("worker", "supervisor", "admin"):
        raise fail("role must be worker, supervisor or admin")

    async def _invite(st: Storage) -> tuple[str, str, str | None]:
        invite = await st.workers.create_invite(role=role, team=team, actor=actor())
        return invite.code, f"{invite.expires_at:%Y-%m-%d %H:%M} UTC", await _bot_username(cfg)

    code, expires, username = with_storage(_invite, cfg)
    _print_invite(code, username, expires)


def _row(w: WorkerRecord) -> str:
    state = "active" if w.active else "removed"
    admin = "admin" if w.is_admin else "-"
    return f"{w.id:>4}  {w.role:<10} {admin:<5} {w.team or '-':<12} {state:<8} {w.display_name}"


@workers_app.command("list")
def workers_list() -> None:
    """List workers with their role, admin right, team and whether they can use the bot."""

    async def _list(st: Storage) -> None:
        rows = await st.workers.list()
        if not rows:
            typer.echo("no workers yet; create an invite with `casenotes workers invite`")
        for w in rows:
            typer.echo(_row(w))

    with_storage(_list)


@workers_app.command("remove")
def workers_remove(worker_id: int) -> None:
    """End a worker's access immediately (their notes are kept)."""

    async def _remove(st: Storage) -> bool:
        return await st.workers.deactivate(worker_id, actor=actor())

    if not with_storage(_remove):
        raise fail(f"no worker with id {worker_id}")
    typer.echo(f"worker {worker_id} removed; access ended")


def _changed(change: Callable[[Storage], Awaitable[WorkerRecord | None]], worker_id: int) -> None:
    done = with_storage(change)
    if done is None:
        raise fail(f"no worker with id {worker_id}")
    typer.echo(_row(done))


@workers_app.command("set-team")
def workers_set_team(
    worker_id: int, team: Annotated[str, typer.Argument(help="Team name, or - for none")]
) -> None:
    """Move a worker to a team; their participants move with them (the new team's
    supervisors read them, the old team's no longer do)."""
    name = team.strip()
    if name != "-" and not (0 < len(name) <= 64 and name.isprintable()):
        raise fail("a team name is 1 to 64 printable characters (or - for no team)")

    async def _set(st: Storage) -> WorkerRecord | None:
        return await st.workers.set_team(worker_id, None if name == "-" else name, actor=actor())

    _changed(_set, worker_id)


@workers_app.command("set-role")
def workers_set_role(
    worker_id: int, role: Annotated[str, typer.Argument(help="worker or supervisor")]
) -> None:
    """Make a worker a worker or a supervisor (admin is separate: `workers admin`)."""
    if role not in ("worker", "supervisor"):
        raise fail("role must be worker or supervisor (admin is set with `workers admin`)")

    async def _set(st: Storage) -> WorkerRecord | None:
        return await st.workers.set_role(worker_id, role, actor=actor())

    _changed(_set, worker_id)


@workers_app.command("admin")
def workers_admin(
    worker_id: int,
    on: Annotated[bool, typer.Option("--on/--off", help="Grant or take away the admin right")],
) -> None:
    """Grant or take away the right to manage workers and teams (it opens no notes)."""

    async def _set(st: Storage) -> WorkerRecord | None:
        return await st.workers.set_admin(worker_id, on, actor=actor())

    _changed(_set, worker_id)


@app.command("run")
def run(
    webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="Take updates by webhook (CASENOTES_WEBHOOK_*) instead of long polling.",
        ),
    ] = False,
) -> None:
    """Run the bot with long polling, or a webhook (needs CASENOTES_TELEGRAM_TOKEN)."""
    from bot.service.deps import Deps
    from bot.telegram.runner import configure_logging, run_until_signalled, startup_failure
    from conversations.template import TemplateError, configure

    cfg = settings()
    if cfg.telegram_token is None or not cfg.telegram_token.get_secret_value():
        raise fail("CASENOTES_TELEGRAM_TOKEN is not set; try `casenotes demo` to use it locally")
    try:
        configure(cfg.templates_dir)
    except TemplateError as exc:
        raise fail(f"bad setting CASENOTES_TEMPLATES_DIR: {exc}") from None
    configure_logging(cfg.log_level, cfg.log_format)
    token = cfg.telegram_token.get_secret_value()
    hook = webhook_config(cfg) if webhook else None

    async def _run(st: Storage) -> None:
        deps = Deps(st, default_timezone=cfg.default_timezone, template_id=cfg.default_template)
        if hook is not None:
            from bot.telegram.webhook import run_webhook_until_signalled

            await run_webhook_until_signalled(token, cfg.telegram_api_url, deps, hook)
            return
        await run_until_signalled(token, cfg.telegram_api_url, deps)

    try:
        with_storage(_run, cfg)
    except Exception as exc:  # one line naming the fault, never the token (or a traceback)
        line = startup_failure(exc, token, cfg.telegram_api_url)
        if line is None:
            raise
        raise fail(line) from None


def webhook_config(cfg: Settings) -> WebhookConfig:
    """The webhook settings `run --webhook` needs, or stop with one line naming the gap."""
    from bot.telegram.webhook import WebhookConfig

    try:
        return WebhookConfig.from_settings(cfg)
    except ValueError as exc:
        raise fail(str(exc)) from None


@app.command("demo")
def demo() -> None:
    """Chat with the bot in this terminal, against a local fake Telegram (no token needed)."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError
    from telegram.error import TelegramError

    from bot.demo import run_demo
    from bot.telegram.runner import configure_logging
    from conversations.template import TemplateError, configure

    cfg = settings()
    try:
        configure(cfg.templates_dir)
    except TemplateError as exc:
        raise fail(f"bad setting CASENOTES_TEMPLATES_DIR: {exc}") from None
    configure_logging("WARNING")
    logging.getLogger("telegram").setLevel(logging.ERROR)

    async def _demo(st: Storage) -> None:
        await run_demo(st, cfg.default_timezone, template_id=cfg.default_template)

    try:
        with_storage(_demo, cfg)
    except (OSError, TelegramError, SQLAlchemyError) as exc:
        raise fail(f"the demo could not start ({type(exc).__name__}: {exc})") from None


# Record commands live in their own module; registered last, as they import from this one.
from bot import records_cli  # noqa: E402

app.command("export")(records_cli.export)
app.add_typer(records_cli.participants_app, name="participants")

from bot.audit_cli import audit_app  # noqa: E402

app.add_typer(audit_app, name="audit")

from bot import ops_cli  # noqa: E402

ops_cli.register(app)

from bot.doctor import doctor  # noqa: E402

app.command("doctor")(doctor)
