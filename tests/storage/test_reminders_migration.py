"""Migration 0003 over a 0002 database holding a reminder written by the old release."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from storage.crypto import KeyRing
from storage.db import create_engine
from storage.migrate import upgrade
from storage.records import Kind
from storage.service import open_storage
from storage.types import UTCDateTime
from tests.storage.test_migrations import downgrade, write_release_0001

DUE = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
reminders_0002 = sa.table(
    "reminders",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("worker_id", sa.Integer),
    sa.column("ref_id", sa.String),
    sa.column("due_at", UTCDateTime()),
    sa.column("cancelled", sa.Boolean),
    sa.column("attempts", sa.Integer),
)


async def write_release_0002(db_url: str, ring: KeyRing) -> int:
    wid = await write_release_0001(db_url, ring, {"engine": {}})
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0002")
        async with engine.begin() as conn:
            await conn.execute(
                reminders_0002.insert().values(
                    id="r" * 32,
                    kind="next_session",
                    worker_id=wid,
                    ref_id="n" * 32,
                    due_at=DUE,
                    cancelled=False,
                    attempts=0,
                )
            )
    finally:
        await engine.dispose()
    return wid


async def test_0003_keeps_old_reminders_and_defaults_the_settings(
    db_url: str, ring: KeyRing
) -> None:
    wid = await write_release_0002(db_url, ring)
    st = await open_storage(db_url, ring=ring)
    try:
        [row] = await st.reminders.pending_for(wid)
        assert (row.kind, row.due_at, row.subject_at) == (
            Kind.SESSION_SOON,
            DUE,
            DUE + timedelta(hours=1),
        )
        worker = await st.workers.get(wid)
        assert worker is not None
        assert (worker.morning_minutes, worker.digest_minutes, worker.lock_screen) == (
            540,
            None,
            "private",
        )
        assert worker.session_day_before and worker.session_hour_before
        [claimed] = await st.reminders.claim_due("t", DUE)
        assert claimed.id == row.id
        assert await st.reminders.reserve_slots(1, 20.0, 100.0) == 100.0
    finally:
        await st.close()


async def test_0003_downgrades_and_upgrades_again(db_url: str, ring: KeyRing) -> None:
    wid = await write_release_0002(db_url, ring)
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        await downgrade(engine, "0002")
        async with engine.connect() as conn:
            kind = (await conn.execute(sa.text("select kind from reminders"))).scalar_one()
        assert kind == "next_session"
        await upgrade(engine)
    finally:
        await engine.dispose()
    st = await open_storage(db_url, ring=ring)
    try:
        assert [r.kind for r in await st.reminders.pending_for(wid)] == [Kind.SESSION_SOON]
    finally:
        await st.close()
