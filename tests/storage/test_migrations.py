"""Schema migrations over data written by an older release, on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import KeyRing
from storage.db import create_engine
from storage.migrate import alembic_config, upgrade
from storage.models import Base
from storage.service import open_storage
from storage.types import UTCDateTime

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DRAFT_ID = "d" * 32

workers_0001 = sa.table(
    "workers",
    sa.column("telegram_user_id", sa.BigInteger),
    sa.column("role", sa.String),
    sa.column("timezone", sa.String),
    sa.column("date_order", sa.String),
    sa.column("tidy_chat", sa.Boolean),
    sa.column("active", sa.Boolean),
    sa.column("created_at", UTCDateTime()),
)
drafts_0001 = sa.table(
    "drafts",
    sa.column("id", sa.String),
    sa.column("worker_id", sa.Integer),
    sa.column("state_enc", sa.LargeBinary),
    sa.column("message_ids", sa.Text),
    sa.column("prompt_message_id", sa.BigInteger),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _go(connection: object) -> None:
        cfg = alembic_config(str(engine.url))
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_go)


async def write_release_0001(db_url: str, ring: KeyRing, state: dict[str, object]) -> int:
    """Create the 0001 schema with one worker and an open draft in it, as 0001 stored them."""
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0001")
        async with engine.begin() as conn:
            worker_id = (
                await conn.execute(
                    workers_0001.insert()
                    .values(
                        telegram_user_id=42,
                        role="worker",
                        timezone="UTC",
                        date_order="DMY",
                        tidy_chat=True,
                        active=True,
                        created_at=NOW,
                    )
                    .returning(sa.column("id"))
                )
            ).scalar_one()
            sealed = ring.seal(json.dumps(state).encode(), f"drafts.state_enc.{DRAFT_ID}")
            await conn.execute(
                drafts_0001.insert().values(
                    id=DRAFT_ID,
                    worker_id=worker_id,
                    state_enc=sealed,
                    message_ids="[101, 102]",
                    prompt_message_id=102,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        return int(worker_id)
    finally:
        await engine.dispose()


async def test_0002_keeps_an_open_draft_at_step_one(db_url: str, ring: KeyRing) -> None:
    state = {"engine": {"answers": {"summary": "kept"}}}
    wid = await write_release_0001(db_url, ring, state)
    st = await open_storage(db_url, ring=ring)
    try:
        draft = await st.drafts.get(wid)
        assert draft is not None
        assert (draft.id, draft.seq, draft.state, draft.created_at) == (DRAFT_ID, 1, state, NOW)
        moved = await st.drafts.advance(DRAFT_ID, wid, 1, {"next": True}, NOW)
        assert moved is not None and moved.seq == 2
        await st.drafts.remember_messages(DRAFT_ID, wid, 42, [103], NOW)
        assert await st.drafts.messages(DRAFT_ID) == [103]
    finally:
        await st.close()


async def test_0002_downgrades_and_upgrades_again(db_url: str, ring: KeyRing) -> None:
    state = {"engine": {"step": 3}}
    wid = await write_release_0001(db_url, ring, state)
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        await downgrade(engine, "0001")
        async with engine.connect() as conn:
            kept = (await conn.execute(sa.text("select message_ids from drafts"))).scalar_one()
        assert kept == "[]"
        await upgrade(engine)
    finally:
        await engine.dispose()
    st = await open_storage(db_url, ring=ring)
    try:
        draft = await st.drafts.get(wid)
        assert draft is not None and (draft.seq, draft.state) == (1, state)
    finally:
        await st.close()


async def test_migrations_build_exactly_the_models(db_url: str) -> None:
    def diff(connection: sa.Connection) -> list[object]:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await engine.dispose()
