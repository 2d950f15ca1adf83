"""Shared fixtures: a real database per test, on SQLite and (when available) PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.crypto import KeyRing
from storage.service import Storage, open_storage

PG_ENV = "CASENOTES_TEST_POSTGRES_URL"


@pytest.fixture(scope="session", autouse=True)
def private_tempdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Give each test process its own temp folder.

    Tests that scan the temp folder for leaked plaintext must see only their own files, not
    another xdist worker's (or a concurrent run's) files appearing and vanishing mid-scan.
    """
    private = tmp_path_factory.mktemp("tmp")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(private))
        mp.setenv("TMPDIR", str(private))
        yield private


def _postgres_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url and os.environ.get("CI"):
        pytest.fail(f"{PG_ENV} is not set in CI: PostgreSQL tests must run, not skip")
    return url


async def _admin(admin_url: str, sql: str) -> None:
    """Run one statement on the server's maintenance database."""
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _create_pg_database(admin_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(admin_url: str, db_url: str) -> None:
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{make_url(db_url).database}" WITH (FORCE)')


async def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Yield an empty database URL for ``request.param`` (sqlite or postgresql)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'casenotes.db'}"
        return
    admin = _postgres_url()
    if not admin:
        pytest.skip(f"PostgreSQL not configured ({PG_ENV} unset)")
    url = await _create_pg_database(admin)
    try:
        yield url
    finally:
        await _drop_pg_database(admin, url)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for each backend (the test id names which)."""
    async for url in fresh_database(request, tmp_path):
        yield url


@pytest.fixture
def ring() -> KeyRing:
    """A real, freshly generated key ring."""
    return KeyRing.generate()


@pytest.fixture
async def storage(db_url: str, ring: KeyRing) -> AsyncIterator[Storage]:
    """Migrated storage over a fresh database."""
    st = await open_storage(db_url, ring=ring)
    try:
        yield st
    finally:
        await st.close()
