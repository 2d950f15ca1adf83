"""Webhook mode: registered with a secret, only Telegram's requests are taken, /healthz tells
the proxy whether the database is there."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from bot.cli import app
from bot.fakeapi import FakeBotApi
from bot.service.deps import Deps
from bot.telegram.webhook import WebhookConfig, running_webhook_bot
from storage.crypto import KeyRing
from storage.migrate import alembic_config
from storage.service import Storage, open_storage
from tests.bot.conftest import TOKEN, FakeClock, invite
from tests.bot.harness import Person
from tests.conftest import PG_ENV, _create_pg_database, _drop_pg_database, _postgres_url

SECRET = "s3cret_Token-for-tests"
HELP = "walks you through a case note"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_bot(
    storage: Storage, api: FakeBotApi, clock: FakeClock, secret: str = SECRET
) -> AbstractAsyncContextManager[Any]:
    """A bot in webhook mode on a port of its own, registered at the fake Telegram."""
    port = free_port()
    hook = WebhookConfig(f"http://127.0.0.1:{port}/tg", secret, "127.0.0.1", port, "/tg")
    return running_webhook_bot(TOKEN, api.base_url, Deps(storage, now=clock), hook)


def typed(person: Person, text: str, update_id: int = 10_000) -> dict[str, Any]:
    """An update as Telegram would post it: ``person`` typed ``text``."""
    msg: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "from": person.user,
        "chat": {"id": person.chat_id, "type": "private", "first_name": person.first_name},
        "text": text,
    }
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": msg}


def replies(api: FakeBotApi, person: Person) -> list[str]:
    return [c.params.get("text", "") for c in api.calls_for(person.chat_id or 0)]


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        json = resp.content_type == "application/json"
        return resp.status, (await resp.json() if json else await resp.text())


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def test_the_webhook_is_registered_with_the_secret_and_updates_are_answered(
    storage: Storage, api: FakeBotApi, clock: FakeClock
) -> None:
    async with webhook_bot(storage, api, clock):
        assert api.webhook.url.endswith("/tg") and api.webhook.secret == SECRET
        assert "callback_query" in (api.webhook.allowed_updates or [])
        worker = await invite(storage, api, 7001)  # delivered by POST, not getUpdates
        await worker.say("/help")
        assert HELP in worker.last().plain
        assert api.webhook.statuses and set(api.webhook.statuses) == {200}


async def test_a_request_without_the_right_secret_is_refused_and_not_processed(
    storage: Storage, api: FakeBotApi, clock: FakeClock
) -> None:
    async with webhook_bot(storage, api, clock):
        worker = await invite(storage, api, 7002)
        before = len(replies(api, worker))
        assert await api.post_update(typed(worker, "/help", 10_001), secret="") == 403
        assert await api.post_update(typed(worker, "/help", 10_002), secret="wrong") == 403
        assert await api.post_update(typed(worker, "/help", 10_003), secret=SECRET[:-1]) == 403
        await asyncio.sleep(0.5)
        assert len(replies(api, worker)) == before
        # The same update with Telegram's secret is taken and answered.
        assert await api.post_update(typed(worker, "/help", 10_004)) == 200
        await worker.wait_for(HELP)
        assert len(replies(api, worker)) == before + 1
        # Absurdly nested JSON, even with the secret, is a 400, not a crash.
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                api.webhook.url,
                data="[" * 100_000,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as resp,
        ):
            assert resp.status == 400


async def test_healthz_reports_the_database_and_its_schema_revision(
    storage: Storage, api: FakeBotApi, clock: FakeClock
) -> None:
    async with webhook_bot(storage, api, clock):
        base = api.webhook.url.removesuffix("/tg")
        status, body = await get(f"{base}/healthz")
        assert status == 200
        assert body == {"database": "ok", "schema": head_revision(str(storage.engine.url))}
        assert (await get(f"{base}/tg"))[0] == 405  # updates are posted, never read


async def test_a_taken_port_stops_start_up_before_telegram_is_told(
    storage: Storage, api: FakeBotApi, clock: FakeClock
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        hook = WebhookConfig(f"http://127.0.0.1:{port}/tg", SECRET, "127.0.0.1", port, "/tg")
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            async with running_webhook_bot(TOKEN, api.base_url, Deps(storage, now=clock), hook):
                pass
    assert not [c for c in api.calls if c.method == "setWebhook"]


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database of this test's own, which it may drop."""
    admin = _postgres_url()
    if not admin:
        pytest.skip(f"PostgreSQL not configured ({PG_ENV} unset)")
    url = await _create_pg_database(admin)
    try:
        yield url
    finally:
        await _drop_pg_database(admin, url)


async def test_healthz_is_503_without_detail_when_the_database_is_gone(
    pg_url: str, ring: KeyRing, api: FakeBotApi, clock: FakeClock
) -> None:
    storage = await open_storage(pg_url, ring=ring)
    try:
        async with webhook_bot(storage, api, clock):
            base = api.webhook.url.removesuffix("/tg")
            assert (await get(f"{base}/healthz"))[0] == 200
            admin = _postgres_url()
            assert admin is not None
            await _drop_pg_database(admin, pg_url)
            status, body = await get(f"{base}/healthz")
            assert status == 503
            assert body == {"database": "unreachable"}  # no error text, no URL
    finally:
        await storage.close()


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    """Settings for a real `casenotes run --webhook`: a key file, a database, a token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASENOTES_")}
    env |= {
        "CASENOTES_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/c.db",
        "CASENOTES_KEYS_FILE": str(tmp_path / "keys.json"),
        "CASENOTES_TELEGRAM_TOKEN": TOKEN,
    }
    for command in (["keys", "new"], ["db", "upgrade"]):
        assert CliRunner().invoke(app, command, env=env).exit_code == 0
    return env


def test_run_webhook_without_its_settings_is_one_line(
    run_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", "--webhook"], env=run_env)
    assert result.exit_code == 1 and "CASENOTES_WEBHOOK_URL is not set" in result.output
    run_env["CASENOTES_WEBHOOK_URL"] = "https://bot.example.org/tg"
    run_env["CASENOTES_WEBHOOK_SECRET"] = "not a/valid secret"
    result = CliRunner().invoke(app, ["run", "--webhook"], env=run_env)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "CASENOTES_WEBHOOK_SECRET" in result.output and "not a/valid" not in result.output


async def test_casenotes_run_webhook_serves_until_sigterm(
    run_env: dict[str, str], api: FakeBotApi, tmp_path: Path
) -> None:
    port = free_port()
    run_env |= {
        "CASENOTES_TELEGRAM_API_URL": api.base_url,
        "CASENOTES_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg",
        "CASENOTES_WEBHOOK_PORT": str(port),
        "CASENOTES_WEBHOOK_SECRET": SECRET,
    }
    proc = await asyncio.create_subprocess_exec(
        Path(sys.executable).with_name("casenotes"),
        "run",
        "--webhook",
        env=run_env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.returncode is None and time.monotonic() < deadline
            with contextlib.suppress(aiohttp.ClientError):
                status, body = await get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            await asyncio.sleep(0.1)
        assert body["database"] == "ok" and api.webhook.secret == SECRET
        stranger = Person(api, 7100)
        assert await api.post_update(typed(stranger, "/help")) == 200
        assert await api.post_update(typed(stranger, "/help"), secret="") == 403
        while not api.calls_for(7100):  # the stranger is answered (once)
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert TOKEN not in err.decode() and SECRET not in err.decode()


def test_a_guessable_webhook_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    monkeypatch.setenv("CASENOTES_WEBHOOK_SECRET", "abc")
    with pytest.raises(ValidationError, match="16 to 256 characters"):
        Settings()
    monkeypatch.setenv("CASENOTES_WEBHOOK_SECRET", "a" * 16)
    assert Settings().webhook_secret is not None
