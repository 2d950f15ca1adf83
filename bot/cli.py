"""The `casenotes` command: database, keys, workers, and running the bot or the demo."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from bot.settings import Settings
from storage.crypto import IntegrityError, KeyFileError, KeyRing, load_key_ring, write_key_ring
from storage.db import DatabaseUnavailable
from storage.keys import check_keys, reseal_all
from storage.service import Storage, open_storage

app = typer.Typer(
    help="casenotes: encrypted case notes for peer-support workers.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
workers_app = typer.Typer(help="Who may use the bot.", no_args_is_help=True)
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
        raise fail(f"bad setting CASENOTES_{where.upper()}: {first['msg']}") from None


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


@keys_app.command("new")
def keys_new() -> None:
    """Create a key file (mode 0600); refuses to overwrite an existing one."""
    cfg = settings()
    try:
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
    """Add a new primary key and re-encrypt every value with it; rerun to resume."""
    cfg = settings()
    try:
        ring = load_key_ring(cfg.keys_file)
    except KeyFileError as exc:
        raise fail(str(exc)) from None
    if ring.rotation_pending:
        typer.echo(f"resuming the unfinished rotation to key {ring.primary}")
    else:
        ring = ring.with_new_primary()
        write_key_ring(cfg.keys_file, ring, overwrite=True)
        typer.echo(f"new primary key {ring.primary} written to {cfg.keys_file}")

    async def _rotate(st: Storage) -> None:
        report = await reseal_all(st.sessions, ring, batch=batch)
        for table, count in sorted(report.by_table.items()):
            typer.echo(f"{table}: re-encrypted {count} values")
        typer.echo(f"re-encrypted {sum(report.by_table.values())} values in all")

    with_storage(_rotate, cfg)
    write_key_ring(cfg.keys_file, ring.finished_rotation(), overwrite=True)
    typer.echo("rotation complete; old keys are kept so backups stay readable")
