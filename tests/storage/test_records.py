"""Records in storage, on SQLite and PostgreSQL: name words, locked notes, addenda, paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from storage.crypto import KeyRing
from storage.models import Note, Participant, ParticipantWord
from storage.records import NewAction, NewNote, NewParticipant
from storage.service import Storage, open_storage
from tests.storage.test_encrypted_storage import make_worker, raw_database_text

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SECRET = "Okapi-Lantern-5521"


async def note(
    st: Storage,
    wid: int,
    days_ago: int,
    name: str | None = None,
    pid: str | None = None,
    summary: str = "chat",
) -> str:
    saved = await st.notes.save(
        NewNote(
            worker_id=wid,
            template_id="peer_support",
            template_version=2,
            content={"answers": {"summary": summary}, "consent_declined": False},
            session_start=NOW - timedelta(days=days_ago),
            duration_minutes=50,
            participant_id=pid,
            new_participant=NewParticipant(name) if name else None,
        ),
        NOW,
    )
    return saved.id


async def test_any_word_of_a_name_finds_them_case_and_accents_folded(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    alex = await storage.participants.add(a, NewParticipant("Alex Smith"))
    zoe = await storage.participants.add(a, NewParticipant("Zoë Nguyễn-Ward"))
    await storage.participants.add(a, NewParticipant("Alexandra Jones"))
    await storage.participants.add(b, NewParticipant("Alex Smith"))
    words = storage.participants.find_by_words
    assert [p.id for p in await words(a, "alex")] == [alex.id]
    assert [p.id for p in await words(a, "SMITH alex")] == [alex.id]
    assert [p.id for p in await words(a, "zoe")] == [zoe.id]
    assert [p.id for p in await words(a, "nguyen")] == [zoe.id]
    assert [p.id for p in await words(a, "ward")] == [zoe.id]
    assert await words(a, "alex jones") == []
    assert await words(a, "  ") == []
    assert [p.worker_id for p in await words(b, "alex")] == [b]


async def test_names_from_before_the_word_index_are_indexed_at_start_up(
    db_url: str, ring: KeyRing
) -> None:
    st = await open_storage(db_url, ring=ring)
    try:
        a = await make_worker(st, 1, "A")
        alex = await st.participants.add(a, NewParticipant("Alex Smith"))
        async with st.sessions.begin() as s:  # as a row written before migration 0005
            await s.execute(delete(ParticipantWord))
            await s.execute(update(Participant).values(words_indexed=False))
        assert await st.participants.find_by_words(a, "alex") == []
    finally:
        await st.close()
    st = await open_storage(db_url, ring=ring)
    try:
        assert [p.id for p in await st.participants.find_by_words(a, "alex")] == [alex.id]
    finally:
        await st.close()


async def test_notes_from_before_locking_are_hashed_at_start_up(
    db_url: str, ring: KeyRing
) -> None:
    st = await open_storage(db_url, ring=ring)
    try:
        a = await make_worker(st, 1, "A")
        nid = await note(st, a, 1, "Alex")
        async with st.sessions.begin() as s:
            await s.execute(update(Note).values(content_hash=None))
    finally:
        await st.close()
    st = await open_storage(db_url, ring=ring)
    try:
        found = await st.notes.get(a, nid)
        assert found is not None and found.content_hash and st.notes.intact(found)
    finally:
        await st.close()


async def test_a_changed_note_no_longer_matches_its_hash(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    nid = await note(storage, a, 1, "Alex")
    found = await storage.notes.get(a, nid)
    assert found is not None and storage.notes.intact(found)
    async with storage.sessions.begin() as s:  # someone re-seals other content in place
        row = await s.scalar(select(Note).where(Note.id == nid))
        assert row is not None
        row.content_enc = storage.notes.seal_json(
            {"answers": {"summary": "rewritten"}}, "notes", "content_enc", nid, owner=a
        )
    changed = await storage.notes.get(a, nid)
    assert changed is not None and not storage.notes.intact(changed)


async def test_addenda_leave_the_note_byte_for_byte_and_are_sealed(
    storage: Storage, db_url: str
) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    nid = await note(storage, a, 1, "Alex")
    async with storage.sessions() as s:
        before = await s.scalar(select(Note.content_enc).where(Note.id == nid))
    assert await storage.addenda.begin(a, nid, NOW)
    assert not await storage.addenda.begin(b, nid, NOW)
    assert await storage.addenda.give_reason(a, f"Correction {SECRET}")
    pending = await storage.addenda.pending(a)
    assert pending is not None and pending.reason == f"Correction {SECRET}"
    worker = await storage.workers.by_telegram_id(1)
    assert worker is not None and worker.addendum_since == NOW
    with pytest.raises(PermissionError):
        await storage.addenda.add(b, nid, "x", "y", NOW)
    added = await storage.addenda.add(a, nid, f"Correction {SECRET}", f"Age 35 {SECRET}", NOW)
    assert added.author == "A"
    assert await storage.addenda.pending(a) is None
    async with storage.sessions() as s:
        assert await s.scalar(select(Note.content_enc).where(Note.id == nid)) == before
    found = await storage.notes.get(a, nid)
    assert found is not None and storage.notes.intact(found)
    listed = await storage.addenda.for_notes([nid])
    assert [x.text for x in listed[nid]] == [f"Age 35 {SECRET}"]
    await storage.addenda.begin(a, nid, NOW)
    await storage.addenda.give_reason(a, f"pending {SECRET}")
    raw = await raw_database_text(storage, db_url)
    assert raw.count(SECRET.encode()) == 0


async def test_history_pages_newest_first_with_addenda_counts(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    first = await note(storage, a, 20, "Alex")
    pid = await storage.notes.get(a, first)
    assert pid is not None and pid.participant_id
    ids = [first] + [
        await note(storage, a, 20 - i, pid=pid.participant_id, summary=f"s{i}")
        for i in range(1, 8)
    ]
    await storage.addenda.add(a, ids[-1], "r", "t", NOW)
    page0 = await storage.notes.history(a, pid.participant_id, 0, size=3)
    assert (page0.page, page0.pages, page0.total) == (0, 3, 8)
    assert [x.note_id for x in page0.items] == ids[::-1][:3]
    assert page0.items[0].addenda == 1 and page0.items[1].addenda == 0
    assert page0.items[0].content["answers"]["summary"] == "s7"
    last = await storage.notes.history(a, pid.participant_id, 99, size=3)
    assert last.page == 2 and [x.note_id for x in last.items] == ids[1::-1]
    assert (await storage.notes.history(b, pid.participant_id, 0)).total == 0
    whole = await storage.notes.whole_record(a, pid.participant_id)
    assert [n.id for n in whole] == ids
    assert await storage.notes.whole_record(b, pid.participant_id) == []


async def test_participants_page_and_cards(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    for i in range(11):
        await storage.participants.add(a, NewParticipant(f"Person {i:02d}"))
    first = await storage.participants.page(a, 0, 4)
    assert (first.pages, first.total, len(first.items)) == (3, 11, 4)
    assert len((await storage.participants.page(a, 2, 4)).items) == 3
    await storage.cards.remember("c1", a, 77, [10, 11], NOW)
    await storage.cards.remember("c2", a, 77, [12], None)
    assert (await storage.cards.of_message(a, 77, 11)).message_ids == (10, 11)  # type: ignore[union-attr]
    assert await storage.cards.of_message(a + 1, 77, 11) is None
    due = await storage.cards.due(NOW + timedelta(seconds=1))
    assert [(d.card_id, d.message_ids) for d in due] == [("c1", (10, 11))]
    await storage.cards.forget("c1")
    assert await storage.cards.due(NOW + timedelta(days=1)) == []


async def test_last_session_reads_the_latest_note_and_open_actions_for_the_owner_only(
    storage: Storage,
) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    first = await storage.notes.save(
        NewNote(
            worker_id=a,
            template_id="peer_support",
            template_version=2,
            content={"answers": {"summary": "old"}, "consent_declined": False},
            session_start=NOW - timedelta(days=9),
            duration_minutes=50,
            new_participant=NewParticipant("Alex"),
            actions=(NewAction("Call", "participant", None),),
        ),
        NOW,
    )
    pid = first.participant_id
    assert pid is not None
    latest = await note(storage, a, 2, pid=pid, summary="new")
    note_rec, actions = await storage.notes.last_session(a, pid)
    assert note_rec is not None and note_rec.id == latest
    assert [x.text for x in actions] == ["Call"]
    assert await storage.notes.last_session(b, pid) == (None, [])


async def test_due_cards_come_whole_and_the_limit_counts_cards(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    await storage.cards.remember("big", a, 77, [1, 2, 3], NOW)
    await storage.cards.remember("next", a, 77, [4], NOW + timedelta(seconds=1))
    due = await storage.cards.due(NOW + timedelta(minutes=1), limit=1)
    assert [(d.card_id, d.message_ids) for d in due] == [("big", (1, 2, 3))]
