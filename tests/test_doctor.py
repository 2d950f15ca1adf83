"""`casenotes doctor` as an operator runs it: one line per check, ✓ or ✗, exit 1 on any ✗.

The command runs in a worker thread (it starts its own event loop) while the fake Bot API
answers from the test's loop; the database and the key file are real.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.fakeapi import FakeBotApi
from storage.db import create_engine
from storage.migrate import upgrade

TOKEN = "4242:DOCTOR-SECRET"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    for key in list(os.environ):
        if key.startswith("CASENOTES_") and key != "CASENOTES_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    return {
        "CASENOTES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db",
        "CASENOTES_KEYS_FILE": str(tmp_path / "keys.json"),
    }


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def casenotes(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    return result.exit_code, result.output.splitlines()


def line(lines: list[str], name: str) -> str:
    [found] = [text for text in lines if text[2:].startswith(f"{name}:")]
    return found


async def ready(env: dict[str, str]) -> None:
    assert (await casenotes(env, "keys", "new"))[0] == 0
    assert (await casenotes(env, "db", "upgrade"))[0] == 0


async def test_a_ready_installation_is_all_green(env: dict[str, str], api: FakeBotApi) -> None:
    await ready(env)
    env |= {"CASENOTES_TELEGRAM_TOKEN": TOKEN, "CASENOTES_TELEGRAM_API_URL": api.base_url}
    code, lines = await casenotes(env, "doctor")
    assert code == 0, lines
    names = ["settings", "key file", "database", "key fits database", "Bot API", "webhook"]
    assert [text.split(":")[0][2:] for text in lines] == names
    assert all(text.startswith("✓ ") for text in lines)
    assert "mode 600" in line(lines, "key file")
    assert "schema at head" in line(lines, "database")
    assert "@casenotes_bot" in line(lines, "Bot API")
    assert "none set (polling)" in line(lines, "webhook")
    assert TOKEN not in "\n".join(lines)


async def test_each_fault_is_its_own_red_line(env: dict[str, str], api: FakeBotApi) -> None:
    await ready(env)
    os.chmod(env["CASENOTES_KEYS_FILE"], 0o644)
    api.fail("getMe", status=401, times=5)
    env |= {"CASENOTES_TELEGRAM_TOKEN": TOKEN, "CASENOTES_TELEGRAM_API_URL": api.base_url}
    code, lines = await casenotes(env, "doctor")
    assert code == 1
    assert line(lines, "settings").startswith("✓")
    assert line(lines, "key file").startswith("✗") and "chmod 600" in line(lines, "key file")
    assert line(lines, "database").startswith("✓")
    assert line(lines, "Bot API").startswith("✗")
    assert "refused the bot token" in line(lines, "Bot API")
    assert TOKEN not in "\n".join(lines)


async def test_a_key_for_another_database_is_red(env: dict[str, str]) -> None:
    await ready(env)
    os.remove(env["CASENOTES_KEYS_FILE"])
    assert (await casenotes(env, "keys", "new"))[0] == 0
    code, lines = await casenotes(env, "doctor")
    assert code == 1
    assert line(lines, "key file").startswith("✓")
    assert line(lines, "key fits database").startswith("✗")
    assert line(lines, "Bot API").startswith("- ")  # no token: skipped, not red


async def test_a_schema_behind_head_and_a_missing_database_are_red(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert (await casenotes(env, "keys", "new"))[0] == 0
    code, lines = await casenotes(env, "doctor")
    assert code == 1 and "no such file" in line(lines, "database")
    assert not (tmp_path / "c.db").exists()  # doctor only looks
    engine = create_engine(env["CASENOTES_DATABASE_URL"])
    await upgrade(engine, "0005")
    await engine.dispose()
    code, lines = await casenotes(env, "doctor")
    assert code == 1
    assert "schema at 0005, head is" in line(lines, "database")
    assert "casenotes db upgrade" in line(lines, "database")


async def test_webhook_state(env: dict[str, str], api: FakeBotApi) -> None:
    await ready(env)
    env |= {"CASENOTES_TELEGRAM_TOKEN": TOKEN, "CASENOTES_TELEGRAM_API_URL": api.base_url}
    api.webhook_info = {"url": "https://bot.example.org/hook", "pending_update_count": 0}
    code, lines = await casenotes(env, "doctor")
    assert code == 0 and "https://bot.example.org/hook; 0 pending" in line(lines, "webhook")
    api.webhook_info |= {
        "pending_update_count": 12,
        "last_error_date": 1795480000,
        "last_error_message": "Connection refused",
    }
    code, lines = await casenotes(env, "doctor")
    assert code == 1
    webhook = line(lines, "webhook")
    assert webhook.startswith("✗") and "12 pending" in webhook and "Connection refused" in webhook


async def test_an_unreachable_database_is_red(env: dict[str, str]) -> None:
    assert (await casenotes(env, "keys", "new"))[0] == 0
    env["CASENOTES_DATABASE_URL"] = "postgresql+asyncpg://nobody:pw@127.0.0.1:1/none"
    code, lines = await casenotes(env, "doctor")
    assert code == 1
    assert "cannot reach postgresql+asyncpg://nobody:***@127.0.0.1:1/none" in line(
        lines, "database"
    )
