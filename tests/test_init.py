"""`casenotes init`: a first run that writes the key and configuration, privately, once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import Settings
from storage.crypto import load_key_ring
from tests.test_cli import env, run

__all__ = ["env"]
TOKEN = "123456789:AAHk2-Jd8s7Fq0Zr_xYwVb9TnPmLc3EuQiO"


def init(*args: str, typed: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["init", *args], input=typed)
    return result.exit_code, result.output


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_run_writes_key_and_env(env: Path) -> None:
    typed = f"not-a-token\n{TOKEN}\nMars/Olympus\nEurope/Paris\n\n"
    code, out = init(typed=typed)
    assert code == 0, out
    assert "does not look like a token" in out and "IANA name" in out
    assert TOKEN not in out  # typed hidden, never echoed
    assert mode(env / "keys.json") == 0o600 and mode(env / ".env") == 0o600
    dotenv = (env / ".env").read_text()
    assert f"CASENOTES_TELEGRAM_TOKEN={TOKEN}\n" in dotenv
    assert "CASENOTES_DEFAULT_TIMEZONE=Europe/Paris\n" in dotenv
    assert "lose the key, lose the notes" in out
    key, env_text = (env / "keys.json").read_bytes(), dotenv
    code, out = init(typed=f"{TOKEN}\n\n\n")
    assert code == 1 and "refusing to overwrite" in out and "nothing was written" in out
    assert (env / "keys.json").read_bytes() == key and (env / ".env").read_text() == env_text
    assert run("db", "upgrade")[0] == 0  # the key it made opens a database


def test_compose_writes_secret_files(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = init("--compose", typed="\n")
    assert code == 1 and "needs the bot's token" in out
    assert not (env / "secrets").exists() and not (env / ".env").exists()
    code, out = init("--compose", typed=f"{TOKEN}\n\n")
    assert code == 0, out
    secrets = env / "secrets"
    assert mode(secrets) == 0o700
    for name in ("telegram_token", "db_password", "keys.json"):
        assert mode(secrets / name) == 0o600, name
    password = (secrets / "db_password").read_text().strip()
    assert len(password) >= 32
    assert f"CASENOTES_UID={os.getuid()}\n" in (env / ".env").read_text()
    load_key_ring(secrets / "keys.json")
    monkeypatch.setenv("CASENOTES_TELEGRAM_TOKEN_FILE", str(secrets / "telegram_token"))
    monkeypatch.setenv("CASENOTES_DATABASE_PASSWORD_FILE", str(secrets / "db_password"))
    monkeypatch.setenv("CASENOTES_DATABASE_URL", "postgresql+asyncpg://casenotes@db/casenotes")
    cfg = Settings()
    assert cfg.telegram_token is not None and cfg.telegram_token.get_secret_value() == TOKEN
    assert password in cfg.database_url
    code, out = init("--compose", typed=f"{TOKEN}\n\n")
    assert code == 1 and "refusing to overwrite" in out
    assert (secrets / "db_password").read_text().strip() == password
