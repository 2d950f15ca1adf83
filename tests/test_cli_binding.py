"""`casenotes db bind-owners`: binds a database from before owner binding ahead of start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.crypto import load_key_ring
from storage.service import open_storage
from tests.storage.test_encrypted_storage import make_worker
from tests.storage.test_owner_binding import unbind_everything, write_records
from tests.test_cli import env, run

__all__ = ["env"]


async def pre_binding_database(url: str, keys: Path) -> int:
    st = await open_storage(url, ring=load_key_ring(keys))
    try:
        await write_records(st, await make_worker(st, 1, "A"))
        return await unbind_everything(st)
    finally:
        await st.close()


def test_bind_owners_reports_what_it_bound_and_then_that_nothing_is_left(env: Path) -> None:
    assert run("keys", "new")[0] == 0
    total = asyncio.run(pre_binding_database(f"sqlite+aiosqlite:///{env}/c.db", env / "keys.json"))
    code, out = run("db", "bind-owners", "--batch", "2")
    assert code == 0, out
    assert "notes: bound 1 values" in out and "participants: bound 3 values" in out
    assert f"bound {total} values to their owners" in out
    code, out = run("db", "bind-owners")
    assert (code, out.strip()) == (0, "every value was already bound to its owner")
    code, out = run("keys", "check")
    assert code == 0 and "all values decrypt" in out
