"""The audit trail as a hash chain: each entry holds the keyed hash of the one before it.

An entry's hash covers its position, its predecessor's hash and every field, under a key
derived from the key file's index secret; so editing, deleting or reordering a past entry
breaks the chain from that point, and someone with the database but not the key file cannot
rebuild it. The head (last position and hash) lives in its own row, updated in the same
transaction as each append, and is written to the log at start-up and daily so a truncated
tail can be caught against an outside copy too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import KeyRing
from storage.db import SessionFactory
from storage.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def entry_hash(ring: KeyRing, row: AuditEvent, seq: int, prev_hash: str) -> str:
    """The keyed hash of one entry at position ``seq`` after ``prev_hash``."""
    at = row.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        seq,
        prev_hash,
        at,
        row.worker_id,
        row.actor,
        row.kind,
        row.ref_id,
        row.participant_id,
    ]
    return ring.audit_mac(json.dumps(fields, separators=(",", ":")).encode())


async def append(
    s: AsyncSession,
    ring: KeyRing,
    kind: str,
    worker_id: int | None,
    ref_id: str | None = None,
    *,
    participant_id: str | None = None,
    actor: str | None = None,
) -> None:
    """Add one entry at the end of the chain, inside the caller's transaction.

    Moving the head first takes its row lock (PostgreSQL) or the write lock (SQLite), so
    appends from several instances queue and never share a position. Call it last in a
    transaction, so the lock is held only until the commit.
    """
    moved = (
        await s.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(seq=AuditHead.seq + 1)
            .returning(AuditHead.seq, AuditHead.hash)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if moved is None:
        raise RuntimeError("the audit chain has no head; open storage once to create it")
    seq, prev = int(moved[0]), str(moved[1])
    row = AuditEvent(
        at=datetime.now(UTC),
        worker_id=worker_id,
        actor=actor,
        kind=kind,
        ref_id=ref_id,
        participant_id=participant_id,
    )
    row.seq, row.prev_hash, row.hash = seq, prev, entry_hash(ring, row, seq, prev)
    s.add(row)
    await s.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=row.hash)
        .execution_options(synchronize_session=False)
    )


async def ensure_head(sessions: SessionFactory, ring: KeyRing) -> None:
    """Create the head on first use, chaining entries written before the chain existed."""
    async with sessions.begin() as s:
        if await s.get(AuditHead, 1) is not None:
            return
        seq, prev = 0, GENESIS
        rows = await s.scalars(
            select(AuditEvent).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)
        )
        for row in rows:
            seq += 1
            row.seq, row.prev_hash, row.hash = seq, prev, entry_hash(ring, row, seq, prev)
            prev = row.hash
        s.add(AuditHead(id=1, seq=seq, hash=prev))


@dataclass(frozen=True)
class ChainReport:
    """What `audit verify` found: how many entries were checked and the first broken one."""

    checked: int
    head_seq: int
    head_hash: str
    #: The position (or, for an entry outside the chain, the row id) of the first problem.
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def head(sessions: SessionFactory) -> tuple[int, str]:
    """The chain's last position and hash (0 and the genesis hash when empty)."""
    async with sessions() as s:
        row = await s.get(AuditHead, 1)
        return (row.seq, row.hash) if row else (0, GENESIS)


async def _in_order(sessions: SessionFactory, batch: int = 1000) -> AsyncIterator[AuditEvent]:
    last = 0
    while True:
        async with sessions() as s:
            rows = (
                await s.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.seq > last)
                    .order_by(AuditEvent.seq)
                    .limit(batch)
                )
            ).all()
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last = int(rows[-1].seq or 0)


async def verify(
    sessions: SessionFactory, ring: KeyRing, logged: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the chain from the start and name the first entry that does not fit.

    ``logged`` is a head copied from the log (position, hash): the chain must still hold
    that entry with that hash. Without it, someone who deletes the newest entries and
    rewinds the head row to match cannot be told from a quiet day."""
    head_seq, head_hash = await head(sessions)
    async with sessions() as s:
        # Every row must sit at a position 1..head: anything else was added beside the chain.
        outside = await s.scalar(
            select(func.min(AuditEvent.id)).where(
                or_(
                    AuditEvent.seq.is_(None),
                    AuditEvent.seq < 1,
                    AuditEvent.seq > head_seq,
                )
            )
        )
    expected, prev, checked = 1, GENESIS, 0
    async for row in _in_order(sessions):
        seq = int(row.seq or 0)
        if seq != expected:
            return ChainReport(
                checked, head_seq, head_hash, expected, f"entry {expected} is missing"
            )
        if row.prev_hash != prev:
            return ChainReport(
                checked, head_seq, head_hash, seq, "it does not follow the entry before it"
            )
        if row.hash != entry_hash(ring, row, seq, prev):
            return ChainReport(checked, head_seq, head_hash, seq, "it was changed after writing")
        if logged is not None and seq == logged[0] and row.hash != logged[1]:
            return ChainReport(
                checked, head_seq, head_hash, seq, "it differs from the head in the log"
            )
        prev, expected, checked = str(row.hash), expected + 1, checked + 1
    if logged is not None and checked < logged[0]:
        return ChainReport(
            checked,
            head_seq,
            head_hash,
            checked + 1,
            f"the chain ends at entry {checked} but the log saw entry {logged[0]}",
        )
    if checked != head_seq or prev != head_hash:
        return ChainReport(
            checked,
            head_seq,
            head_hash,
            checked + 1,
            f"the chain ends at entry {checked} but its head says {head_seq}",
        )
    if outside is not None:
        return ChainReport(
            checked,
            head_seq,
            head_hash,
            outside,
            f"row id {outside} was added outside the chain",
        )
    return ChainReport(checked, head_seq, head_hash)
