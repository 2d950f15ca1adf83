"""`casenotes workers set-team / set-role / admin` as an operator uses them: a moved worker's
caseload goes with them, and every change is audited with who ran it."""

from __future__ import annotations

import asyncio
import getpass
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.service import access
from bot.service.deps import Deps, Turn
from storage.service import Storage, open_storage
from tests.bot.team_seed import note

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
T = TypeVar("T")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("CASENOTES_") and key != "CASENOTES_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("CASENOTES_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/c.db")
    monkeypatch.setenv("CASENOTES_KEYS_FILE", str(tmp_path / "keys.json"))
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def with_storage(env: Path, work: Callable[[Storage], Awaitable[T]]) -> T:
    async def _main() -> T:
        st = await open_storage(f"sqlite+aiosqlite:///{env}/c.db", env / "keys.json")
        try:
            return await work(st)
        finally:
            await st.close()

    return asyncio.run(_main())


async def _join(st: Storage, tg: int, name: str, role: str, team: str) -> int:
    code = (await st.workers.create_invite(role, team, now=NOW)).code
    return (await st.workers.redeem_invite(code, tg, name, "Europe/London", NOW)).id


def test_set_team_moves_the_caseload_to_the_new_teams_supervisor(env: Path) -> None:
    assert run("keys", "new")[0] == 0

    async def seed(st: Storage) -> tuple[int, int, int, str]:
        north = await _join(st, 1, "Nia", "supervisor", "north")
        south = await _join(st, 2, "Sol", "supervisor", "south")
        worker = await _join(st, 3, "Ana", "worker", "north")
        saved = await note(st, worker, NOW, NOW, name="Alex Smith")
        assert saved.participant_id is not None
        return north, south, worker, saved.participant_id

    north, south, worker, pid = with_storage(env, seed)

    async def readers(st: Storage) -> dict[str, bool]:
        out = {}
        for label, wid in (("north", north), ("south", south)):
            record = await st.workers.get(wid)
            assert record is not None
            turn = Turn(Deps(st, now=lambda: NOW), record, chat_id=record.telegram_user_id)
            out[label] = await access.person(turn, pid) is not None
        return out

    assert with_storage(env, readers) == {"north": True, "south": False}
    code, out = run("workers", "set-team", str(worker), "south")
    assert code == 0 and "south" in out and "Ana" in out
    assert with_storage(env, readers) == {"north": False, "south": True}

    async def trail(st: Storage) -> list[tuple[str, str | None, str | None, int | None]]:
        return [(e.kind, e.ref_id, e.actor, e.worker_id) for e in await st.audit.entries()]

    me = f"cli:{getpass.getuser()}"
    assert ("worker.team_changed", str(worker), me, None) in with_storage(env, trail)


def test_set_role_and_admin_are_audited_and_bad_input_changes_nothing(env: Path) -> None:
    assert run("keys", "new")[0] == 0

    async def seed(st: Storage) -> int:
        return await _join(st, 3, "Ana", "worker", "north")

    worker = with_storage(env, seed)
    code, out = run("workers", "set-role", str(worker), "boss")
    assert code == 1 and "role must be worker or supervisor" in out
    code, out = run("workers", "set-role", "99", "supervisor")
    assert code == 1 and "no worker with id 99" in out
    code, out = run("workers", "set-team", str(worker), "\x1b[2J")
    assert code == 1 and "team name" in out
    code, out = run("workers", "set-role", str(worker), "supervisor")
    assert code == 0 and "supervisor" in out
    assert run("workers", "admin", str(worker), "--on")[0] == 0
    code, out = run("workers", "list")
    assert code == 0 and "supervisor" in out and "admin" in out
    assert run("workers", "admin", str(worker), "--off")[0] == 0
    code, out = run("workers", "list")
    assert "admin" not in out

    async def kinds(st: Storage) -> list[str]:
        return [e.kind for e in await st.audit.entries() if e.ref_id == str(worker)]

    assert with_storage(env, kinds) == [
        "worker.role_changed",
        "worker.admin_changed",
        "worker.admin_changed",
    ]
    # An admin invite is a worker who manages.
    code, out = run("workers", "invite", "--role", "admin")
    assert code == 0 and "/start " in out
