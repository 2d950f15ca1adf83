"""Open the database and key ring together and hand out the repositories."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audit_chain import ensure_head
from storage.binding import BindReport, bind_at_start_up, bind_owners, owners_bound
from storage.crypto import KeyRing, load_key_ring
from storage.db import DatabaseUnavailable, SessionFactory, create_engine, session_factory
from storage.migrate import upgrade
from storage.repositories import (
    AddendumRepository,
    AgendaRepository,
    AuditRepository,
    CardRepository,
    DraftRepository,
    NoteRepository,
    ParticipantRepository,
    ReminderRepository,
    WorkerRepository,
)
from storage.repositories.erasure import ErasureRepository
from storage.repositories.reviews import ReviewRepository
from storage.repositories.team import TeamRepository
from storage.rotation import verify_or_plant_canary


@dataclass
class Storage:
    """Everything above storage/ needs: repositories over one engine and key ring."""

    engine: AsyncEngine
    sessions: SessionFactory
    ring: KeyRing
    workers: WorkerRepository
    participants: ParticipantRepository
    notes: NoteRepository
    drafts: DraftRepository
    reminders: ReminderRepository
    agenda: AgendaRepository
    addenda: AddendumRepository
    cards: CardRepository
    audit: AuditRepository
    team: TeamRepository
    reviews: ReviewRepository
    erasure: ErasureRepository

    async def close(self) -> None:
        """Release the connection pool."""
        await self.engine.dispose()


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


async def open_storage(
    url: str,
    keys_file: Path | None = None,
    *,
    ring: KeyRing | None = None,
    migrate: bool = True,
    bind_batch: int = 200,
    on_binding: Callable[[BindReport], None] | None = None,
    resume_binding: bool = False,
) -> Storage:
    """Load keys, reach the database, apply migrations and prove the key fits the data.

    The key file is read first, so a bad key never opens (let alone changes) the database.
    A database from before owner binding is bound first (``on_binding`` hears how it went).
    """
    if ring is None:
        if keys_file is None:
            raise ValueError("a key file or a key ring is required")
        ring = load_key_ring(keys_file)
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with _one_start_up_at_a_time(engine):
            if migrate:
                await upgrade(engine)
            await verify_or_plant_canary(sessions, ring)
            if not await owners_bound(sessions):
                bind = bind_owners if resume_binding else bind_at_start_up
                report = await bind(sessions, ring, batch=bind_batch)
                if on_binding is not None:
                    on_binding(report)
            await _catch_up(sessions, ring)
    except (OperationalError, DBAPIError, OSError) as exc:
        await engine.dispose()
        reason = type(getattr(exc, "orig", exc) or exc).__name__
        raise DatabaseUnavailable(
            f"cannot reach the database at {_describe(url)} ({reason})"
        ) from None
    except BaseException:
        await engine.dispose()
        raise
    return Storage(
        engine=engine,
        sessions=sessions,
        ring=ring,
        workers=WorkerRepository(sessions, ring),
        participants=ParticipantRepository(sessions, ring),
        notes=NoteRepository(sessions, ring),
        drafts=DraftRepository(sessions, ring),
        reminders=ReminderRepository(sessions, ring),
        agenda=AgendaRepository(sessions, ring),
        addenda=AddendumRepository(sessions, ring),
        cards=CardRepository(sessions, ring),
        audit=AuditRepository(sessions, ring),
        team=TeamRepository(sessions, ring),
        reviews=ReviewRepository(sessions, ring),
        erasure=ErasureRepository(sessions, ring),
    )


#: PostgreSQL advisory lock id held while an instance migrates and checks the database.
START_UP_LOCK = 0x63617365  # "case"


@contextlib.asynccontextmanager
async def _one_start_up_at_a_time(engine: AsyncEngine) -> AsyncIterator[None]:
    """On PostgreSQL, let one instance at a time migrate, plant the canary and bind: several
    instances started together would otherwise race on the same DDL and rows."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": START_UP_LOCK})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": START_UP_LOCK})
            await conn.commit()


async def _catch_up(sessions: SessionFactory, ring: KeyRing) -> None:
    """Start the audit chain, index name words and lock notes stored before those existed
    (each a no-op afterwards)."""
    await ensure_head(sessions, ring)
    await ParticipantRepository(sessions, ring).index_missing_words()
    await NoteRepository(sessions, ring).hash_unlocked()
