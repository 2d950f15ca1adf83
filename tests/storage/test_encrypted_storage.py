"""Repositories over real SQLite files and a real PostgreSQL: nothing sensitive in plaintext."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.crypto import IntegrityError, KeyRing
from storage.records import Kind, NewAction, NewNote, NewParticipant, NewReminder
from storage.repositories import InviteRejected
from storage.rotation import KeyMismatch, check_keys, reseal_all
from storage.service import Storage, open_storage

MARKER = "ZEBRA-MARKER-7731"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def make_worker(st: Storage, tg_id: int = 1001, name: str = "Sam Worker") -> int:
    invite = await st.workers.create_invite(role="worker", team="north")
    return (await st.workers.redeem_invite(invite.code, tg_id, name, "Europe/London")).id


async def write_sensitive(st: Storage) -> list[str]:
    wid = await make_worker(st, name=f"Worker {MARKER}")
    start = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    ids = []
    for i in range(3):
        note = await st.notes.save(
            NewNote(
                worker_id=wid,
                template_id="peer_support",
                template_version=1,
                content={"summary": f"{MARKER} talked about housing {i}", "concerns": MARKER},
                session_start=start + timedelta(days=i),
                duration_minutes=45,
                new_participant=NewParticipant(f"Alex {MARKER} {i}", 30, f"they/{MARKER}"),
                actions=(NewAction(f"call landlord {MARKER}", "participant", date(2026, 12, 1)),),
            ),
            NOW,
        )
        ids.append(note.id)
    await st.drafts.start(wid, {"answers": {"summary": MARKER}}, NOW)
    return ids


def read_files(database: str) -> bytes:
    """Read the SQLite file and its WAL/shm companions as raw bytes."""
    paths = [Path(database + suffix) for suffix in ("", "-wal", "-shm")]
    return b"".join(p.read_bytes() for p in paths if p.exists())


async def raw_database_text(st: Storage, db_url: str) -> bytes:
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        await st.engine.dispose()
        return read_files(url.database or "")
    chunks: list[bytes] = []
    async with st.engine.connect() as conn:
        cols = await conn.execute(
            text(
                "select table_name, column_name from information_schema.columns "
                "where table_schema='public' and data_type in ('text','bytea','character varying')"
            )
        )
        for table, column in cols.all():
            for (value,) in (await conn.execute(text(f'select "{column}" from "{table}"'))).all():
                if value is not None:
                    chunks.append(value if isinstance(value, bytes) else value.encode())
    return b"\n".join(chunks)


async def test_marker_never_stored_in_plaintext_but_reads_back(
    storage: Storage, db_url: str
) -> None:
    note_ids = await write_sensitive(storage)
    raw = await raw_database_text(storage, db_url)
    assert len(raw) > 1000
    assert raw.count(MARKER.encode()) == 0
    assert raw.count(MARKER.encode("utf-16-le")) == 0
    wid = (await storage.workers.list())[0].id
    for note_id in note_ids:
        note = await storage.notes.get(wid, note_id)
        assert note is not None
        assert MARKER in note.content["summary"]
        assert note.actions[0].text == f"call landlord {MARKER}"
    draft = await storage.drafts.get(wid)
    assert draft is not None and draft.state["answers"]["summary"] == MARKER


async def test_blind_index_finds_by_name_only_for_the_owner(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    alex = await storage.participants.add(a, NewParticipant("Alex Smith", 40, "he/him"))
    await storage.participants.add(a, NewParticipant("Sam", None, None))
    found = await storage.participants.find_by_name(a, "  alex   SMITH ")
    assert [p.id for p in found] == [alex.id]
    assert found[0].age == 40
    assert await storage.participants.find_by_name(a, "Alex") == []
    assert await storage.participants.find_by_name(b, "Alex Smith") == []
    assert await storage.participants.get(b, alex.id) is None


async def test_tampered_and_swapped_ciphertext_raise(storage: Storage) -> None:
    ids = await write_sensitive(storage)
    wid = (await storage.workers.list())[0].id
    async with storage.engine.begin() as conn:
        blob = (
            await conn.execute(text("select content_enc from notes where id=:i"), {"i": ids[0]})
        ).scalar_one()
        # Swap note 0's ciphertext into note 1: same key, different row.
        await conn.execute(
            text("update notes set content_enc=:b where id=:i"), {"b": blob, "i": ids[1]}
        )
        flipped = bytearray(blob)
        flipped[-3] ^= 0xFF
        await conn.execute(
            text("update notes set content_enc=:b where id=:i"), {"b": bytes(flipped), "i": ids[2]}
        )
    assert (await storage.notes.get(wid, ids[0])) is not None
    for broken in ids[1:]:
        with pytest.raises(IntegrityError, match="integrity check"):
            await storage.notes.get(wid, broken)
    report = await check_keys(storage.sessions, storage.ring)
    assert report.failures["notes"] == 2


async def test_wrong_key_is_refused_before_anything_changes(storage: Storage, db_url: str) -> None:
    await write_sensitive(storage)
    await storage.close()
    with pytest.raises(KeyMismatch, match="does not match"):
        await open_storage(db_url, ring=KeyRing.generate())


async def test_rotation_round_trip_and_resume(storage: Storage, db_url: str) -> None:
    ids = await write_sensitive(storage)
    wid = (await storage.workers.list())[0].id
    old = storage.ring
    new = old.with_new_primary()
    first = await reseal_all(storage.sessions, new, batch=2)
    # workers, 3 participants x 3 columns, 3 notes, 1 draft, 3 actions, canary
    assert sum(first.by_table.values()) == 1 + 9 + 3 + 1 + 3 + 1
    again = await reseal_all(storage.sessions, new, batch=2)
    assert sum(again.by_table.values()) == 0
    report = await check_keys(storage.sessions, new)
    assert set(report.by_key) == {new.primary} and not report.failures
    await storage.close()
    only_new = KeyRing({new.primary: new.keys[new.primary]}, new.primary, new.index_secret)
    reopened = await open_storage(db_url, ring=only_new)
    try:
        note = await reopened.notes.get(wid, ids[0])
        assert note is not None and MARKER in note.content["summary"]
        assert await reopened.participants.find_by_name(wid, f"alex {MARKER} 0")
    finally:
        await reopened.close()
    with pytest.raises(KeyMismatch):
        await open_storage(db_url, ring=KeyRing(dict(old.keys), old.primary, old.index_secret))


async def test_invites_are_single_use_and_expire(storage: Storage) -> None:
    invite = await storage.workers.create_invite()
    await storage.workers.redeem_invite(invite.code, 5, "Kim", "UTC")
    with pytest.raises(InviteRejected):
        await storage.workers.redeem_invite(invite.code, 6, "Lee", "UTC")
    old = await storage.workers.create_invite(now=datetime.now(UTC) - timedelta(hours=73))
    with pytest.raises(InviteRejected):
        await storage.workers.redeem_invite(old.code, 6, "Lee", "UTC")
    assert await storage.workers.by_telegram_id(6) is None
    kim = await storage.workers.by_telegram_id(5)
    assert kim is not None and kim.display_name == "Kim"
    await storage.workers.deactivate(kim.id)
    assert await storage.workers.by_telegram_id(5) is None


async def test_saving_a_note_schedules_reminders_and_drops_the_draft(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"x": 1}, NOW)
    nine_local = datetime(2030, 1, 2, 9, tzinfo=UTC)
    note = await storage.notes.save(
        NewNote(
            worker_id=wid,
            template_id="peer_support",
            template_version=1,
            content={},
            session_start=NOW - timedelta(days=2),
            duration_minutes=60,
            new_participant=NewParticipant("Jo"),
            actions=(
                NewAction("book GP", "both", date(2030, 1, 2), remind_at=nine_local),
                NewAction("no reminder", "worker", date(2030, 1, 3)),
            ),
            reminders=(
                NewReminder(Kind.SESSION_DAY, datetime(2030, 1, 8, 15, tzinfo=UTC)),
                NewReminder(Kind.SESSION_SOON, datetime(2030, 1, 9, 14, tzinfo=UTC)),
            ),
            draft_id=draft.id,
            draft_seq=draft.seq,
            late=True,
        ),
        NOW,
    )
    assert note.late is True
    assert await storage.drafts.get(wid) is None
    pending = await storage.reminders.pending_for(wid)
    assert [(r.kind, r.due_at) for r in pending] == [
        ("action_due", nine_local),
        ("session_day", datetime(2030, 1, 8, 15, tzinfo=UTC)),
        ("session_soon", datetime(2030, 1, 9, 14, tzinfo=UTC)),
    ]
    assert pending[0].ref_id == note.actions[0].id
    assert {r.ref_id for r in pending[1:]} == {note.id}
    stored = await storage.notes.get(wid, note.id)
    assert stored == note
    due = await storage.reminders.claim_due("test", datetime(2030, 1, 2, 10, tzinfo=UTC))
    assert [r.kind for r in due] == ["action_due"]
    assert await storage.reminders.claim_due("other", datetime(2030, 1, 2, 10, tzinfo=UTC)) == []


async def test_two_redemptions_of_one_code_exactly_one_wins(storage: Storage) -> None:
    invite = await storage.workers.create_invite()
    results = await asyncio.gather(
        *(storage.workers.redeem_invite(invite.code, tg, f"W{tg}", "UTC") for tg in (7, 8, 9)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, InviteRejected) for r in results) == 2
    assert len(await storage.workers.list()) == 1


async def test_one_person_redeeming_twice_at_once_registers_once(storage: Storage) -> None:
    invite = await storage.workers.create_invite()
    results = await asyncio.gather(
        *(storage.workers.redeem_invite(invite.code, 7, "Kim", "UTC") for _ in range(2)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, InviteRejected) for r in results) == 1
    assert [w.telegram_user_id for w in await storage.workers.list()] == [7]


async def test_invisible_characters_neither_hide_nor_split_a_name(storage: Storage) -> None:
    wid = await make_worker(storage)
    alex = await storage.participants.add(
        wid, NewParticipant("\u2066Al\u200bex\u2069 Sm\ufeffith")
    )
    assert alex.name == "Alex Smith"
    found = await storage.participants.find_by_name(wid, "alex\u200d smith")
    assert [p.id for p in found] == [alex.id]


async def test_find_by_name_reaches_beyond_the_recent_participants(storage: Storage) -> None:
    wid = await make_worker(storage)
    oldest = await storage.participants.add(wid, NewParticipant("Robin Old"))
    for i in range(8):
        await storage.participants.add(wid, NewParticipant(f"Person {i}"))
    recent = await storage.participants.recent(wid)
    assert len(recent) == 6 and oldest.id not in {p.id for p in recent}
    assert [p.id for p in await storage.participants.find_by_name(wid, "robin old")] == [oldest.id]
