"""Back up and restore a whole database: SQLite's online backup or pg_dump, sealed by backup.py.

Nothing is replaced until the whole backup has been decrypted and authenticated into a
private scratch folder, so a tampered or truncated file changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import URL, make_url

from storage.backup import (
    POSTGRES,
    SQLITE,
    BackupError,
    create_private,
    decrypt_stream,
    encrypt_stream,
    pg_tool,
    private_dir,
)
from storage.crypto import KeyRing


def backup_database(url: str, ring: KeyRing, out: Path) -> str:
    """Write an encrypted, consistent copy of the database to a new 0600 file ``out``."""
    parsed = make_url(url)
    with create_private(out) as dst:
        try:
            if parsed.get_backend_name() == "sqlite":
                _sqlite_copy(_sqlite_path(parsed), out, dst, ring)
            else:
                _pg_dump(parsed, dst, ring)
            dst.flush()
            os.fsync(dst.fileno())  # a backup is only worth having once it is on the disk
            return "SQLite" if parsed.get_backend_name() == "sqlite" else "PostgreSQL"
        except BaseException:
            dst.close()
            out.unlink(missing_ok=True)
            raise


def restore_database(url: str, ring: KeyRing, backup: Path, *, force: bool = False) -> str:
    """Decrypt ``backup`` and put it in place of the database at ``url``."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    target = _sqlite_path(parsed) if sqlite else Path(tempfile.gettempdir()) / "restore"
    try:
        src = backup.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {backup}: {exc.strerror}") from None
    with src, private_dir(target) as scratch:
        plain = scratch / "db"
        with create_private(plain) as dst:
            kind = decrypt_stream(src, dst, ring)
        if kind != (SQLITE if sqlite else POSTGRES):
            made = "an SQLite" if kind == SQLITE else "a PostgreSQL"
            raise BackupError(f"this is {made} backup; point CASENOTES_DATABASE_URL at one")
        if sqlite:
            _sqlite_replace(plain, target, force=force)
            return "SQLite"
        _pg_restore(parsed, plain)
        return "PostgreSQL"


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up or restored")
    return Path(url.database)


def _sqlite_copy(path: Path, out: Path, dst: BinaryIO, ring: KeyRing) -> None:
    if not path.is_file():
        raise BackupError(f"there is no database at {path}")
    # The snapshot is plain SQLite (sealed values, but tables, ids and times in the clear):
    # it is made beside the database, in its private folder, never on the backup disk.
    with private_dir(path) as scratch:
        copy = scratch / "copy.db"
        source, target = sqlite3.connect(path), sqlite3.connect(copy)
        try:
            source.backup(target)  # a consistent snapshot while the bot keeps writing
        finally:
            source.close()
            target.close()
        with copy.open("rb") as plain:
            encrypt_stream(plain, dst, ring, SQLITE)


def _sqlite_replace(plain: Path, target: Path, *, force: bool) -> None:
    check = sqlite3.connect(plain)
    try:
        ok = check.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        ok = False
    finally:
        check.close()
    if not ok:
        raise BackupError("the backup decrypts but does not hold a sound SQLite database")
    if target.exists() and target.stat().st_size > 0:
        if not force:
            raise BackupError(
                f"{target} already holds a database; stop the bot and add --force to replace it"
            )
        live = sqlite3.connect(target, timeout=0)
        try:
            live.execute("BEGIN EXCLUSIVE")  # fails while another process is writing
            live.rollback()
        except sqlite3.OperationalError:
            raise BackupError(f"{target} is in use; stop the bot first") from None
        finally:
            live.close()
    for leftover in ("-wal", "-shm", "-journal"):
        Path(f"{target}{leftover}").unlink(missing_ok=True)
    os.replace(plain, target)


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = [f"--dbname={url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # never on the command line (ps shows argv)
    return args, env


def _failed(tool: str, stderr: bytes) -> BackupError:
    lines = stderr.decode(errors="replace").strip().splitlines()
    return BackupError(f"{tool} failed: {lines[-1] if lines else 'no reason given'}")


def _pg_dump(url: URL, dst: BinaryIO, ring: KeyRing) -> None:
    args, env = _pg_args(url)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [pg_tool("pg_dump"), "--format=custom", *args],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert proc.stdout is not None
        try:
            with proc.stdout:
                encrypt_stream(proc.stdout, dst, ring, POSTGRES)
        except BaseException:
            proc.kill()  # we stopped reading (a full disk, Ctrl-C): don't leave it behind
            proc.wait()
            raise
        if proc.wait() != 0:
            errors.seek(0)
            raise _failed("pg_dump", errors.read())


async def _pg_table_count(url: URL) -> int:
    import asyncpg

    conn = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
    )
    try:
        count = await conn.fetchval(
            "select count(*) from pg_tables where schemaname not in ('pg_catalog', "
            "'information_schema')"
        )
        return int(count)
    finally:
        await conn.close()


def _pg_restore(url: URL, plain: Path) -> None:
    try:
        tables = asyncio.run(_pg_table_count(url))
    except Exception as exc:
        raise BackupError(f"cannot reach the database ({type(exc).__name__})") from None
    if tables:
        raise BackupError(
            f"database {url.database} is not empty ({tables} tables); restore into a new, "
            "empty database and point CASENOTES_DATABASE_URL at it"
        )
    args, env = _pg_args(url)
    restore = pg_tool("pg_restore")
    done = subprocess.run(
        [restore, "--no-owner", "--exit-on-error", "--single-transaction", *args, str(plain)],
        capture_output=True,
        env=env,
    )
    if done.returncode != 0:
        raise _failed("pg_restore", done.stderr)
