"""The audit trail is a hash chain: it verifies as written, and an edited, deleted or
reordered past entry (or a row slipped in beside the chain) is caught and named."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from storage.audit_chain import entry_hash
from storage.crypto import KeyRing
from storage.models import AuditEvent, AuditHead
from storage.service import Storage, open_storage


async def write_trail(st: Storage, n: int = 6) -> None:
    for i in range(n):
        await st.audit.record("note.viewed", 7, f"note{i}", participant_id=f"p{i % 2}")


async def test_an_untouched_chain_verifies(storage: Storage) -> None:
    await write_trail(storage)
    report = await storage.audit.verify()
    assert report.ok, report
    assert report.checked == report.head_seq == 6
    assert (report.head_seq, report.head_hash) == await storage.audit.head()


async def test_an_edited_entry_is_named(storage: Storage) -> None:
    await write_trail(storage)
    async with storage.sessions.begin() as s:
        await s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(worker_id=8))
    report = await storage.audit.verify()
    assert not report.ok
    assert report.broken_at == 3
    assert "changed" in (report.reason or "")


async def test_a_deleted_entry_is_named(storage: Storage) -> None:
    await write_trail(storage)
    async with storage.sessions.begin() as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.seq == 4))
    report = await storage.audit.verify()
    assert (report.broken_at, report.reason) == (4, "entry 4 is missing")


async def test_deleting_the_last_entries_is_caught_by_the_head(storage: Storage) -> None:
    await write_trail(storage)
    async with storage.sessions.begin() as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.seq >= 5))
    report = await storage.audit.verify()
    assert report.broken_at == 5
    assert "head says 6" in (report.reason or "")


async def test_reordered_entries_are_caught(storage: Storage) -> None:
    """Swapping two entries' positions (renumbering them) breaks the chain at the first."""
    await write_trail(storage)
    async with storage.sessions.begin() as s:
        await s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(seq=-2))
        await s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(seq=2))
        await s.execute(update(AuditEvent).where(AuditEvent.seq == -2).values(seq=3))
    report = await storage.audit.verify()
    assert report.broken_at == 2


async def test_a_rewritten_tail_without_the_key_is_caught(storage: Storage) -> None:
    """Someone with the database but not the key file edits an entry and recomputes every
    later hash with a key of their own, head included: the chain still fails."""
    await write_trail(storage)
    forger = KeyRing.generate()

    async with storage.sessions.begin() as s:
        rows = (await s.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all()
        prev = rows[1].hash
        for row in rows[2:]:
            if row.seq == 3:
                row.kind = "note.saved"
            row.prev_hash = prev
            row.hash = entry_hash(forger, row, int(row.seq or 0), str(prev))
            prev = row.hash
        await s.execute(update(AuditHead).values(hash=prev))
    report = await storage.audit.verify()
    assert report.broken_at == 3


async def test_a_row_slipped_in_beside_the_chain_is_caught(storage: Storage) -> None:
    await write_trail(storage)
    async with storage.sessions.begin() as s:
        first = await s.scalar(select(AuditEvent).where(AuditEvent.seq == 1))
        assert first is not None
        await s.execute(insert(AuditEvent).values(at=first.at, worker_id=9, kind="note.viewed"))
    report = await storage.audit.verify()
    assert not report.ok
    assert "outside the chain" in (report.reason or "")


async def test_concurrent_appends_keep_one_chain(storage: Storage) -> None:
    """Appends from many tasks at once (several instances' worth on PostgreSQL) never share a
    position or fork the chain."""
    await asyncio.gather(*(storage.audit.record("note.viewed", w, f"n{w}") for w in range(40)))
    report = await storage.audit.verify()
    assert report.ok, report
    assert report.checked == 40


async def test_entries_from_before_the_chain_are_chained_at_start_up(
    db_url: str, ring: KeyRing
) -> None:
    """A database from before 0006 holds unchained entries; the first start-up chains them."""
    st = await open_storage(db_url, ring=ring)
    try:
        async with st.sessions.begin() as s:
            await s.execute(delete(AuditHead))
            await s.execute(delete(AuditEvent))

            for kind in ("worker.registered", "note.saved", "note.viewed"):
                await s.execute(
                    insert(AuditEvent).values(at=datetime.now(UTC), worker_id=1, kind=kind)
                )
    finally:
        await st.close()
    st = await open_storage(db_url, ring=ring)
    try:
        report = await st.audit.verify()
        assert report.ok and report.checked == 3
        await st.audit.record("note.viewed", 1, "x")
        assert (await st.audit.verify()).checked == 4
    finally:
        await st.close()


async def test_entries_filter_by_participant_and_time(storage: Storage) -> None:
    await write_trail(storage)
    mine = await storage.audit.entries(participant_id="p1")
    assert [e.ref_id for e in mine] == ["note1", "note3", "note5"]
    all_entries = await storage.audit.entries()
    cut = all_entries[2].at
    later = await storage.audit.entries(since=cut)
    assert [e.seq for e in later][-1] == 6
    assert all(e.at >= cut for e in later) and len(later) <= 4


async def test_a_row_slipped_in_below_the_chain_is_caught_and_not_listed(
    storage: Storage,
) -> None:
    """The red team's forgery: a row at position 0 (or below, or past the head) needs no
    key; it must fail verify and never show in the trail."""
    await write_trail(storage, 2)
    async with storage.sessions.begin() as s:
        first = await s.scalar(select(AuditEvent).where(AuditEvent.seq == 1))
        assert first is not None
        for seq in (0, -5, 99):
            await s.execute(
                insert(AuditEvent).values(
                    at=first.at, worker_id=9, kind="record.exported", seq=seq, ref_id="p1"
                )
            )
    report = await storage.audit.verify()
    assert not report.ok
    assert [e.seq for e in await storage.audit.entries()] == [1, 2]


async def test_a_cut_off_tail_is_caught_against_the_logged_head(storage: Storage) -> None:
    """Deleting the newest entries and rewinding the head row to match passes a plain verify
    (the database alone cannot tell); the head copied from the log catches it."""
    await write_trail(storage)
    logged = await storage.audit.head()
    async with storage.sessions.begin() as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.seq == 6))
        fifth = await s.scalar(select(AuditEvent).where(AuditEvent.seq == 5))
        assert fifth is not None
        await s.execute(update(AuditHead).values(seq=5, hash=fifth.hash))
    assert (await storage.audit.verify()).ok
    report = await storage.audit.verify(logged)
    assert report.broken_at == 6 and "the log saw entry 6" in (report.reason or "")
    # And a head that never was (a different hash at that position) is named too.
    report = await storage.audit.verify((3, "0" * 64))
    assert report.broken_at == 3 and "differs from the head in the log" in (report.reason or "")


async def test_an_action_done_is_in_its_participants_trail(storage: Storage) -> None:
    from tests.bot.records_seed import seed_note

    code = (await storage.workers.create_invite()).code
    w = await storage.workers.redeem_invite(code, 4242, "Kim", "UTC")
    note = await seed_note(storage, w.id, datetime.now(UTC), name="Alex", actions=("Call GP",))
    assert await storage.agenda.complete_action(w.id, note.actions[0].id, datetime.now(UTC))
    kinds = [e.kind for e in await storage.audit.entries(participant_id=note.participant_id)]
    assert kinds == ["note.saved", "action.done"]
