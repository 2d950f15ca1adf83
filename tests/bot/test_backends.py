"""The key bot scenarios again, on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.test_note_capture import test_full_note_from_new_to_saved
from tests.bot.test_resilience import test_restart_mid_note_continues_where_the_worker_was
from tests.conftest import fresh_database

__all__ = [
    "test_full_note_from_new_to_saved",
    "test_restart_mid_note_continues_where_the_worker_was",
]


@pytest.fixture(params=["postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async for url in fresh_database(request, tmp_path):
        yield url
