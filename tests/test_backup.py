"""`casenotes backup` and `restore` as an operator runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.backup import CHUNK, SQLITE, BackupError, decrypt_stream, encrypt_stream
from storage.crypto import KeyRing
from storage.service import open_storage
from tests.bot.records_seed import seed_note
from tests.conftest import _create_pg_database, _drop_pg_database, _postgres_url
from tests.test_cli import env, run

__all__ = ["env"]
START = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
MARKER = "Quokka-7731 housing"


def _seed(url: str, keys: Path) -> tuple[int, list[str]]:
    async def _go() -> tuple[int, list[str]]:
        st = await open_storage(url, keys)
        try:
            invite = await st.workers.create_invite()
            w = await st.workers.redeem_invite(invite.code, 77, "Kim Worker", "Europe/London")
            ids = []
            for day in range(3):
                note = await seed_note(
                    st, w.id, START + timedelta(days=day), name="Zoë Quokka", summary=MARKER
                )
                ids.append(note.id)
            return w.id, ids
        finally:
            await st.close()

    return asyncio.run(_go())


def _summaries(url: str, keys: Path, worker: int, ids: list[str]) -> list[str]:
    async def _go() -> list[str]:
        st = await open_storage(url, keys)
        try:
            notes = [await st.notes.get(worker, i) for i in ids]
            return [n.content["answers"]["summary"] for n in notes if n is not None]
        finally:
            await st.close()

    return asyncio.run(_go())


def _wipe_sqlite(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def test_sqlite_backup_wipe_restore(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    url, db = os.environ["CASENOTES_DATABASE_URL"], env / "c.db"
    worker, ids = _seed(url, env / "keys.json")
    code, out = run("backup", "--out", "nightly.cnb")
    assert code == 0 and "encrypted SQLite backup" in out, out
    backup = (env / "nightly.cnb").read_bytes()
    assert stat.S_IMODE((env / "nightly.cnb").stat().st_mode) == 0o600
    for plain in (MARKER.encode(), "Zoë".encode(), b"Kim Worker", b"SQLite format 3"):
        assert plain not in backup
    assert not [p for p in env.iterdir() if p.name.startswith(".casenotes-")]  # scratch gone
    code, out = run("backup", "--out", "nightly.cnb")
    assert code == 1 and "refusing to overwrite" in out
    assert (env / "nightly.cnb").read_bytes() == backup

    _wipe_sqlite(db)
    code, out = run("restore", "nightly.cnb")
    assert code == 0 and "every encrypted value opens" in out, out
    assert _summaries(url, env / "keys.json", worker, ids) == [MARKER] * 3
    assert stat.S_IMODE(db.stat().st_mode) == 0o600

    code, out = run("restore", "nightly.cnb")
    assert code == 1 and "--force" in out and "Traceback" not in out
    writer = sqlite3.connect(db)
    writer.execute("BEGIN IMMEDIATE")  # as the bot does while it saves a note
    code, out = run("restore", "nightly.cnb", "--force")
    writer.rollback()
    writer.close()
    assert code == 1 and "in use" in out
    assert run("restore", "nightly.cnb", "--force")[0] == 0
    assert _summaries(url, env / "keys.json", worker, ids) == [MARKER] * 3


def test_altered_backups_and_wrong_keys_change_nothing(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    url, db = os.environ["CASENOTES_DATABASE_URL"], env / "c.db"
    _seed(url, env / "keys.json")
    assert run("backup", "--out", "b.cnb")[0] == 0
    good = (env / "b.cnb").read_bytes()
    _wipe_sqlite(db)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x01
    damaged = {
        "flipped.cnb": (bytes(flipped), "does not authenticate"),
        "cut.cnb": (good[:-100], "damaged"),
        "short.cnb": (good[:200], "damaged"),
        "header.cnb": (good[:20], "not a casenotes backup"),
        "extra.cnb": (good + b"\0", "after its end"),
    }
    for name, (data, why) in damaged.items():
        (env / name).write_bytes(data)
        code, out = run("restore", name)
        assert code == 1 and why in out and "Traceback" not in out, (name, out)
        assert not db.exists(), name
    (env / "keys.json").rename(env / "old-keys.json")
    assert run("keys", "new")[0] == 0
    code, out = run("restore", "b.cnb")
    assert code == 1 and "does not hold" in out and not db.exists()


def test_stream_is_chunked_and_chunks_cannot_move() -> None:
    ring = KeyRing.generate()
    data = os.urandom(2 * CHUNK + 12345)
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(data), sealed, ring, SQLITE)
    out = io.BytesIO()
    assert decrypt_stream(io.BytesIO(sealed.getvalue()), out, ring) == SQLITE
    assert out.getvalue() == data
    blob, header = sealed.getvalue(), 33
    first_end = header + 4 + CHUNK + 16
    second_end = first_end + 4 + CHUNK + 16
    swapped = blob[:header] + blob[first_end:second_end] + blob[header:first_end]
    swapped += blob[second_end:]
    with pytest.raises(BackupError):
        decrypt_stream(io.BytesIO(swapped), io.BytesIO(), ring)
    dropped_last = blob[:second_end]  # whole chunks, but not the one marked last
    with pytest.raises(BackupError, match="cut short"):
        decrypt_stream(io.BytesIO(dropped_last), io.BytesIO(), ring)


def test_postgresql_backup_restore_into_an_empty_database(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = _postgres_url()
    if not admin:
        pytest.skip("PostgreSQL not configured")
    source = asyncio.run(_create_pg_database(admin))
    target = asyncio.run(_create_pg_database(admin))
    try:
        monkeypatch.setenv("CASENOTES_DATABASE_URL", source)
        assert run("keys", "new")[0] == 0
        worker, ids = _seed(source, env / "keys.json")
        code, out = run("backup", "--out", "pg.cnb")
        assert code == 0 and "encrypted PostgreSQL backup" in out, out
        backup = (env / "pg.cnb").read_bytes()
        assert MARKER.encode() not in backup and b"PGDMP" not in backup
        assert stat.S_IMODE((env / "pg.cnb").stat().st_mode) == 0o600

        monkeypatch.setenv("CASENOTES_DATABASE_URL", source.rsplit("/", 1)[0] + "/no_such_db")
        code, out = run("backup", "--out", "gone.cnb")
        assert code == 1 and "pg_dump failed" in out and "no_such_db" in out, out
        assert not (env / "gone.cnb").exists()

        monkeypatch.setenv("CASENOTES_DATABASE_URL", target)
        flipped = bytearray(backup)
        flipped[-50] ^= 0x80
        (env / "bad.cnb").write_bytes(bytes(flipped))
        code, out = run("restore", "bad.cnb")
        assert code == 1 and "does not authenticate" in out
        code, out = run("restore", "pg.cnb")
        assert code == 0 and "every encrypted value opens" in out, out
        assert _summaries(target, env / "keys.json", worker, ids) == [MARKER] * 3
        code, out = run("restore", "pg.cnb")
        assert code == 1 and "not empty" in out
    finally:
        asyncio.run(_drop_pg_database(admin, source))
        asyncio.run(_drop_pg_database(admin, target))
