"""A bot that cannot start says why in one line on stderr, exits 1, and never shows the token.

The real `casenotes run` runs as a subprocess, as compose would start it: a wrong token or Bot
API address used to print the token inside a 300-line traceback.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.fakeapi import FakeBotApi

TOKEN = "123:WRONG"
CASENOTES = Path(sys.executable).with_name("casenotes")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A key file and an up-to-date database, so start-up gets as far as Telegram."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASENOTES_")}
    env |= {
        "CASENOTES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db",
        "CASENOTES_KEYS_FILE": str(tmp_path / "keys.json"),
        "CASENOTES_TELEGRAM_TOKEN": TOKEN,
    }
    for command in (["keys", "new"], ["db", "upgrade"]):
        assert CliRunner().invoke(app, command, env=env).exit_code == 0
    return env


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def casenotes_run(env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Run `casenotes run` to its end; (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        CASENOTES,
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def one_line(code: int, out: str, err: str) -> str:
    """Check the promise (exit 1, one stderr line, no token) and return that line."""
    assert code == 1
    assert TOKEN not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("casenotes: ")
    return lines[0]


async def test_a_refused_token_is_one_line_without_the_token(
    env: dict[str, str], api: FakeBotApi, tmp_path: Path
) -> None:
    api.fail("getMe", status=401, times=10)
    env["CASENOTES_TELEGRAM_API_URL"] = api.base_url
    line = one_line(*await casenotes_run(env, tmp_path))
    assert "refused the bot token" in line
    assert f"{api.base_url}<redacted>" in line
    assert "CASENOTES_TELEGRAM_TOKEN" in line


async def test_an_unreachable_bot_api_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens
    env["CASENOTES_TELEGRAM_API_URL"] = f"http://127.0.0.1:{port}/bot"
    # At INFO the retry layer says "getMe retried in 1.0 s" twice first: a log, not an error.
    env["CASENOTES_LOG_LEVEL"] = "warning"
    line = one_line(*await casenotes_run(env, tmp_path))
    assert f"cannot reach the Bot API at http://127.0.0.1:{port}/bot<redacted>" in line


async def test_bad_settings_and_an_unreachable_database_are_one_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad_format = env | {"CASENOTES_LOG_FORMAT": "yaml"}
    no_database = env | {"CASENOTES_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    first, second = await asyncio.gather(  # at once: each start costs seconds of imports
        casenotes_run(bad_format, tmp_path), casenotes_run(no_database, tmp_path)
    )
    assert "bad setting CASENOTES_LOG_FORMAT: use text or json" in one_line(*first)
    assert "cannot reach the database" in one_line(*second)
