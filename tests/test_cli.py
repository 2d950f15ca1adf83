"""The `casenotes` command as an operator uses it: one readable line on every failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


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


def test_keys_new_check_rotate(env: Path) -> None:
    code, out = run("keys", "new")
    assert code == 0 and stat.S_IMODE((env / "keys.json").stat().st_mode) == 0o600
    code, out = run("keys", "new")
    assert code == 1 and "refusing to overwrite" in out
    assert run("workers", "invite")[0] == 0
    code, out = run("keys", "check")
    assert code == 0 and "all values decrypt" in out
    code, out = run("keys", "rotate")
    assert code == 0 and "rotation complete" in out and "re-encrypted" in out
    code, out = run("keys", "check")
    assert code == 0 and out.count("(primary)") == 1


def test_operator_faults_are_one_line(env: Path) -> None:
    code, out = run("db", "upgrade")
    assert code == 1 and "does not exist" in out and "Traceback" not in out
    run("keys", "new")
    os.chmod(env / "keys.json", 0o644)
    code, out = run("db", "upgrade")
    assert code == 1 and "chmod 600" in out
    os.chmod(env / "keys.json", 0o600)
    assert run("db", "upgrade")[0] == 0
    (env / "keys.json").unlink()
    run("keys", "new")
    code, out = run("workers", "list")
    assert code == 1 and "does not match this database" in out
    os.environ["CASENOTES_DATABASE_URL"] = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    code, out = run("workers", "list")
    assert code == 1 and "cannot reach the database" in out
    assert len(out.strip().splitlines()) == 1


def test_workers_invite_list_remove(env: Path) -> None:
    run("keys", "new")
    code, out = run("workers", "invite", "--role", "supervisor", "--team", "north")
    assert code == 0 and "/start " in out and "72 hours" in out
    code, out = run("workers", "invite", "--role", "boss")
    assert code == 1 and "role must be" in out
    code, out = run("workers", "list")
    assert "no workers yet" in out
    code, out = run("workers", "remove", "99")
    assert code == 1 and "no worker with id 99" in out


def test_run_without_a_token_points_to_the_demo(env: Path) -> None:
    run("keys", "new")
    code, out = run("run")
    assert code == 1 and "casenotes demo" in out


def test_bad_setting_is_named(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASENOTES_DEFAULT_TIMEZONE", "Mars/Olympus")
    code, out = run("keys", "check")
    assert code == 1 and "CASENOTES_DEFAULT_TIMEZONE" in out and "Mars/Olympus" in out
