"""Fixtures for the reliability scenarios: a fake Bot API that can misbehave, SQLite files in
tmp_path (so the files themselves can be searched afterwards), registered workers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fakeapi.chaos import ChaoticBotApi
from storage.service import Storage

TOKEN = "123456:RELIABILITY"


@pytest.fixture
async def api() -> AsyncIterator[ChaoticBotApi]:
    server = ChaoticBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the scenarios search the database file and its WAL for answers."""
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def register(storage: Storage, telegram_id: int, name: str = "Sam Worker") -> int:
    """A worker, registered as an invite redeemed; returns the worker id."""
    invite = await storage.workers.create_invite(role="worker", team="reliability")
    worker = await storage.workers.redeem_invite(invite.code, telegram_id, name, "Europe/London")
    return worker.id


def database_files(folder: Path) -> dict[str, bytes]:
    """The database, its WAL and shared memory, and anything else SQLite left there."""
    return {p.name: p.read_bytes() for p in folder.glob("bot.db*") if p.is_file()}


def logged(caplog: pytest.LogCaptureFixture) -> bytes:
    """Every log record as text, arguments included (what a handler could print)."""
    lines = [f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records]
    return "\n".join(lines).encode("utf-8")


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors the bot logged: a handler that failed, a reply it could not show."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR or "could not show a reply" in r.getMessage()
    ]
