"""Key checks and rotation: the canary that proves a key fits, and batched re-encryption."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import IntegrityError, KeyFileError, KeyRing
from storage.db import SessionFactory
from storage.models import SEALED_COLUMNS, Draft, KeyCanary, bound_to

CANARY = b"casenotes key canary"


class KeyMismatch(KeyFileError):
    """The key file does not open this database's data."""


async def verify_or_plant_canary(sessions: SessionFactory, ring: KeyRing) -> None:
    """Prove the key ring opens this database, planting the canary on first use."""
    async with sessions.begin() as s:
        row = await s.get(KeyCanary, 1)
        if row is None:
            s.add(KeyCanary(id=1, value_enc=ring.seal(CANARY, "key_canary.value_enc.1")))
            return
        try:
            ok = ring.open(row.value_enc, "key_canary.value_enc.1") == CANARY
        except IntegrityError:
            ok = False
        if not ok:
            raise KeyMismatch(
                "the key file does not match this database (wrong or missing key); "
                "nothing was changed"
            )


@dataclass
class KeyReport:
    """What a check or rotation saw: sealed values per key id and per table, and failures."""

    by_key: Counter[str] = field(default_factory=Counter)
    by_table: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)


async def check_keys(sessions: SessionFactory, ring: KeyRing) -> KeyReport:
    """Open every sealed value and count which key sealed it; tally failures per table
    (a value not bound to the owner its row names is a failure too)."""
    report = KeyReport()
    for model, columns in SEALED_COLUMNS:
        async with sessions() as s:
            for row in (await s.scalars(select(model))).all():
                for col in columns:
                    blob = getattr(row, col)
                    if blob is None:
                        continue
                    try:
                        ring.open(blob, *bound_to(row, col))
                        report.by_key[ring.key_id_of(blob)] += 1
                    except IntegrityError:
                        report.failures[model.__tablename__] += 1
    return report


async def reseal_all(sessions: SessionFactory, ring: KeyRing, batch: int = 200) -> KeyReport:
    """Re-encrypt every value not sealed by the primary key, still bound to its owner; safe
    to run again after a crash.

    A draft that moved on while this ran is skipped (the newer state was sealed by whoever
    wrote it); run again if that writer still used an old key.
    """
    report = KeyReport()
    for model, columns in SEALED_COLUMNS:
        pk = model.__mapper__.primary_key[0]
        last = None
        while True:
            async with sessions.begin() as s:
                query = select(model).order_by(pk).limit(batch)
                if last is not None:
                    query = query.where(pk > last)
                rows = (await s.scalars(query)).all()
                for row in rows:
                    for col in columns:
                        blob = getattr(row, col)
                        if blob is None or ring.key_id_of(blob) == ring.primary:
                            continue
                        aad, owner = bound_to(row, col)
                        fresh = ring.seal(ring.open(blob, aad, owner), aad, owner)
                        if isinstance(row, Draft):
                            if not await put_draft_state(s, row, fresh):
                                continue
                        else:
                            setattr(row, col, fresh)
                        report.by_table[model.__tablename__] += 1
            if len(rows) < batch:
                break
            last = getattr(rows[-1], str(pk.key))
    return report


async def put_draft_state(s: AsyncSession, row: Draft, fresh: bytes) -> bool:
    """Store a re-sealed draft state unless the draft moved on since it was read (a worker
    answering meanwhile): never put back the step that was read. False if it moved."""
    moved = await s.scalar(
        update(Draft)
        .where(Draft.id == row.id, Draft.seq == row.seq)
        .values(state_enc=fresh)
        .returning(Draft.id)
        .execution_options(synchronize_session=False)
    )
    return moved is not None
