"""Bind every sealed value to its owner: the one-off move from crypto format 1 to 2.

Values sealed before owners were bound open for whichever worker a row names; this re-seals
them bound to that worker and recomputes the participants' name and word indexes, which take
the worker into their input since. Batches by primary key, each its own transaction; a value
already bound is skipped, so after a crash or a stop running it again carries on. The meta row
``owner_binding`` says it finished, so start-up checks one row and moves on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import OWNER_BOUND, KeyFileError, KeyRing
from storage.db import SessionFactory
from storage.models import (
    OWNER_COLUMNS,
    SEALED_COLUMNS,
    Base,
    Draft,
    Meta,
    Participant,
    ParticipantWord,
    bound_to,
)
from storage.repositories.participants import word_rows
from storage.rotation import put_draft_state

OWNER_BINDING = "owner_binding"


@dataclass
class BindReport:
    """Values re-sealed per table, and whether every owner-bound value is now bound."""

    by_table: Counter[str] = field(default_factory=Counter)
    finished: bool = False


async def owners_bound(sessions: SessionFactory) -> bool:
    """True once bind_owners has finished on this database (one primary-key read)."""
    async with sessions() as s:
        return await s.get(Meta, OWNER_BINDING) is not None


class BindingUnfinished(KeyFileError):
    """Values are already bound to owners but the database does not say binding finished:
    an interrupted binding, or a removed marker. Start-up will not bind on its own then,
    since binding under whatever worker a row names now could hand a re-pointed record over."""


async def any_bound(sessions: SessionFactory) -> bool:
    """Whether any owner-bound column already holds a value in the owner-bound format."""
    marker = bytes([OWNER_BOUND])
    async with sessions() as s:
        for model, columns in SEALED_COLUMNS:
            if model not in OWNER_COLUMNS:
                continue
            for col in columns:
                column = getattr(model, col)
                found = await s.scalar(
                    select(literal(1)).where(func.substr(column, 1, 1) == marker).limit(1)
                )
                if found is not None:
                    return True
    return False


async def bind_at_start_up(
    sessions: SessionFactory, ring: KeyRing, batch: int = 200
) -> BindReport:
    """Bind a database from before owner binding, once; refuse a half-bound one (see
    BindingUnfinished): finishing that is the operator's call, with `casenotes db bind-owners`."""
    if await any_bound(sessions):
        raise BindingUnfinished(
            "some values are bound to their owners but binding is not marked finished "
            "(interrupted, or the marker was removed); check `casenotes keys check`, then "
            "finish it with `casenotes db bind-owners`"
        )
    return await bind_owners(sessions, ring, batch=batch)


async def bind_owners(
    sessions: SessionFactory, ring: KeyRing, batch: int = 200, max_batches: int | None = None
) -> BindReport:
    """Re-seal every unbound value in an owner-bound column for the worker its row names.

    ``max_batches`` stops early (unfinished, the meta row left unset): for tests of resuming.
    """
    report = BindReport()
    batches = 0
    with ring.accepting_unbound():
        for model, columns in SEALED_COLUMNS:
            if model not in OWNER_COLUMNS:
                continue
            pk = model.__mapper__.primary_key[0]
            last = None
            while True:
                if max_batches is not None and batches >= max_batches:
                    return report
                async with sessions.begin() as s:
                    query = select(model).order_by(pk).limit(batch).with_for_update()
                    if last is not None:
                        query = query.where(pk > last)
                    rows = (await s.scalars(query)).all()
                    for row in rows:
                        for col in columns:
                            if await _bind(s, ring, row, col):
                                report.by_table[model.__tablename__] += 1
                batches += 1
                if len(rows) < batch:
                    break
                last = getattr(rows[-1], str(pk.key))
    async with sessions.begin() as s:
        dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
        await s.execute(
            dialect.insert(Meta)
            .values(key=OWNER_BINDING, value="done")
            .on_conflict_do_nothing(index_elements=[Meta.key])
        )
    report.finished = True
    return report


async def _bind(s: AsyncSession, ring: KeyRing, row: Base, col: str) -> bool:
    """Re-seal one value bound to its owner; False if there was nothing to do."""
    blob = getattr(row, col)
    if blob is None or ring.is_owner_bound(blob):
        return False
    aad, owner = bound_to(row, col)
    plain = ring.open(blob, aad, owner)
    fresh = ring.seal(plain, aad, owner)
    if isinstance(row, Draft):
        return await put_draft_state(s, row, fresh)
    setattr(row, col, fresh)
    if isinstance(row, Participant) and col == "name_enc":
        name = plain.decode()
        row.name_index = ring.blind_index(name, row.worker_id)
        await s.execute(
            delete(ParticipantWord)
            .where(ParticipantWord.participant_id == row.id)
            .execution_options(synchronize_session=False)
        )
        s.add_all(word_rows(ring, row.id, row.worker_id, name))
        row.words_indexed = True
    return True
