"""Records bound to their owner, on SQLite and PostgreSQL: a row re-pointed at another worker
no longer opens, names are not linkable across workers, and older data is bound in batches."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text

from storage.binding import OWNER_BINDING, BindingUnfinished, bind_owners
from storage.crypto import IntegrityError, KeyRing, _derive, fold_word, name_words, normalise_name
from storage.models import (
    OWNER_COLUMNS,
    SEALED_COLUMNS,
    Meta,
    Note,
    Participant,
    ParticipantWord,
    Review,
    bound_to,
)
from storage.records import Kind, NewAction, NewNote, NewParticipant, NewReminder
from storage.service import Storage, open_storage
from tests.storage.test_encrypted_storage import make_worker

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SECRET = "Okapi-Lantern-5521"


async def write_records(st: Storage, wid: int, name: str = "Alex Smith") -> dict[str, str]:
    """One of everything a worker owns; returns the ids by table."""
    saved = await st.notes.save(
        NewNote(
            worker_id=wid,
            template_id="peer_support",
            template_version=2,
            content={"answers": {"summary": SECRET}, "consent_declined": False},
            session_start=NOW - timedelta(days=1),
            duration_minutes=50,
            new_participant=NewParticipant(name, 34, "they/them"),
            actions=(NewAction(f"Call {SECRET}", "worker", None),),
        ),
        NOW,
    )
    assert saved.participant_id is not None
    await st.reminders.add(wid, [NewReminder(Kind.DIGEST, NOW, text=SECRET)])
    [reminder] = await st.reminders.pending_for(wid, [Kind.DIGEST])
    draft = await st.drafts.start(wid, {"answers": {"summary": SECRET}}, NOW)
    addendum = await st.addenda.add(wid, saved.id, "typo", SECRET, NOW)
    assert await st.addenda.begin(wid, saved.id, NOW)
    assert await st.addenda.give_reason(wid, SECRET)
    return {
        "notes": saved.id,
        "participants": saved.participant_id,
        "actions": saved.actions[0].id,
        "reminders": reminder.id,
        "drafts": draft.id,
        "addenda": addendum.id,
    }


async def repoint(st: Storage, table: str, row_id: str, worker_id: int) -> None:
    """Hand a row to another worker the way someone with database access would."""
    async with st.engine.begin() as conn:
        await conn.execute(
            text(f"update {table} set worker_id = :w where id = :i"), {"w": worker_id, "i": row_id}
        )


async def read_as(st: Storage, table: str, wid: int, row_id: str) -> object:
    """Read one row through the repositories as worker ``wid``."""
    if table == "notes":
        return await st.notes.get(wid, row_id)
    if table == "participants":
        return await st.participants.get(wid, row_id)
    if table == "drafts":
        return await st.drafts.get(wid)
    if table == "actions":
        return await st.agenda.action(wid, row_id)
    if table == "reminders":
        return await st.reminders.get(wid, row_id)
    raise AssertionError(table)


@pytest.mark.parametrize("table", ["notes", "participants", "drafts", "actions", "reminders"])
async def test_a_row_handed_to_another_worker_does_not_open(storage: Storage, table: str) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    ids = await write_records(storage, a)
    assert await read_as(storage, table, a, ids[table]) is not None
    await repoint(storage, table, ids[table], b)
    with pytest.raises(IntegrityError, match="failed its integrity check") as caught:
        await read_as(storage, table, b, ids[table])
    assert SECRET not in str(caught.value) and "Alex" not in str(caught.value)


async def test_an_addendum_handed_to_another_worker_does_not_open(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    ids = await write_records(storage, a)
    await repoint(storage, "addenda", ids["addenda"], b)
    with pytest.raises(IntegrityError):
        await storage.addenda.for_notes([ids["notes"]])


async def test_one_name_under_two_workers_is_not_linkable(storage: Storage) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    pa = await storage.participants.add(a, NewParticipant("Alex Smith"))
    pb = await storage.participants.add(b, NewParticipant("Alex Smith"))
    async with storage.sessions() as s:
        index = dict((await s.execute(select(Participant.id, Participant.name_index))).all())
        words = {
            pid: set(
                await s.scalars(
                    select(ParticipantWord.word_index).where(ParticipantWord.participant_id == pid)
                )
            )
            for pid in (pa.id, pb.id)
        }
    assert index[pa.id] != index[pb.id]
    assert len(words[pa.id]) == len(words[pb.id]) == 2 and not words[pa.id] & words[pb.id]
    assert [p.id for p in await storage.participants.find_by_name(a, "alex smith")] == [pa.id]
    assert [p.id for p in await storage.participants.find_by_words(b, "ALEX")] == [pb.id]


def test_the_owner_is_part_of_what_a_value_is_bound_to(ring: KeyRing) -> None:
    bound = ring.seal(SECRET.encode(), "notes.content_enc.n1", 7)
    assert bound[0] == 2 and KeyRing.is_owner_bound(bound)
    assert ring.open(bound, "notes.content_enc.n1", 7) == SECRET.encode()
    for aad, owner in [("notes.content_enc.n1", 8), ("notes.content_enc.n1", None)]:
        with pytest.raises(IntegrityError) as caught:
            ring.open(bound, aad, owner)
        assert SECRET not in str(caught.value)
    downgraded = bytes([1]) + bound[1:]  # claiming to be unbound does not help
    with pytest.raises(IntegrityError):
        ring.open(downgraded, "notes.content_enc.n1")
    unbound = ring.seal(SECRET.encode(), "notes.content_enc.n1")
    with pytest.raises(IntegrityError, match="not bound to its owner"):
        ring.open(unbound, "notes.content_enc.n1", 7)
    with pytest.raises(RuntimeError), ring.accepting_unbound():
        assert ring.open(unbound, "notes.content_enc.n1", 7) == SECRET.encode()
        raise RuntimeError
    assert not ring.accept_unbound and "accept_unbound" not in ring.to_json()


def old_index(ring: KeyRing, info: bytes, text: str) -> str:
    """An index as computed before the worker was part of it."""
    return hmac.new(_derive(ring.index_secret, info), text.encode(), hashlib.sha256).hexdigest()


async def unbind_everything(st: Storage) -> int:
    """Rewrite every owner-bound value as it was stored before owners were bound (format 1,
    indexes without the worker) and forget that binding was done; returns the values."""
    ring, count = st.ring, 0
    async with st.sessions.begin() as s:
        for model, columns in SEALED_COLUMNS:
            if model not in OWNER_COLUMNS:
                continue
            for row in (await s.scalars(select(model))).all():
                for col in columns:
                    blob = getattr(row, col)
                    if blob is not None:
                        aad, owner = bound_to(row, col)
                        setattr(row, col, ring.seal(ring.open(blob, aad, owner), aad))
                        count += 1
                if isinstance(row, Participant):
                    name = ring.open(row.name_enc, f"participants.name_enc.{row.id}")
                    row.name_index = old_index(
                        ring, b"casenotes blind index v1", normalise_name(name.decode())
                    )
                    await s.execute(
                        delete(ParticipantWord).where(ParticipantWord.participant_id == row.id)
                    )
                    s.add_all(
                        ParticipantWord(
                            participant_id=row.id,
                            worker_id=row.worker_id,
                            word_index=old_index(ring, b"casenotes name word v1", fold_word(w)),
                        )
                        for w in name_words(name.decode())
                    )
        await s.execute(delete(Meta).where(Meta.key == OWNER_BINDING))
    return count


async def add_review(st: Storage, note_id: str, wid: int, reviewer: int) -> None:
    """A review row as the review repository stores it (its comment bound to the note's owner)."""
    async with st.sessions.begin() as s:
        s.add(
            Review(
                id="r1",
                note_id=note_id,
                worker_id=wid,
                reviewer_id=reviewer,
                status="needs_revision",
                comment_enc=st.ring.seal(SECRET.encode(), "reviews.comment_enc.r1", wid),
                created_at=NOW,
            )
        )


async def bound_state(st: Storage) -> tuple[int, int]:
    """(owner-bound values, unbound values) in the owner-bound columns."""
    bound = unbound = 0
    async with st.sessions() as s:
        for model, columns in SEALED_COLUMNS:
            if model in OWNER_COLUMNS:
                for row in (await s.scalars(select(model))).all():
                    for blob in (getattr(row, c) for c in columns):
                        if blob is not None:
                            bound += KeyRing.is_owner_bound(blob)
                            unbound += not KeyRing.is_owner_bound(blob)
    return bound, unbound


async def test_binding_older_data_resumes_and_then_refuses_unbound_values(
    storage: Storage,
) -> None:
    a = await make_worker(storage, 1, "A")
    b = await make_worker(storage, 2, "B")
    ids = await write_records(storage, a, "Zoë Nguyễn-Ward")
    await write_records(storage, b, "Alex Smith")
    await add_review(storage, ids["notes"], a, b)
    total = await unbind_everything(storage)
    with pytest.raises(IntegrityError, match="not bound to its owner"):
        await storage.notes.get(a, ids["notes"])

    first = await bind_owners(storage.sessions, storage.ring, batch=2, max_batches=3)
    assert not first.finished and 0 < sum(first.by_table.values()) < total
    assert await bound_state(storage) == (
        sum(first.by_table.values()),
        total - sum(first.by_table.values()),
    )
    async with storage.sessions() as s:
        assert await s.get(Meta, OWNER_BINDING) is None

    rest = await bind_owners(storage.sessions, storage.ring, batch=2)
    assert rest.finished and sum(first.by_table.values()) + sum(rest.by_table.values()) == total
    assert await bound_state(storage) == (total, 0)
    assert not storage.ring.accept_unbound
    async with storage.sessions() as s:
        assert (await s.get(Meta, OWNER_BINDING)).value == "done"  # type: ignore[union-attr]
    note = await storage.notes.get(a, ids["notes"])
    assert note is not None and note.content["answers"]["summary"] == SECRET
    assert storage.notes.intact(note)
    assert [p.id for p in await storage.participants.find_by_name(a, "zoë nguyễn-ward")] == [
        ids["participants"]
    ]
    assert [p.id for p in await storage.participants.find_by_words(a, "zoe")] == [
        ids["participants"]
    ]
    assert [p.name for p in await storage.participants.find_by_words(b, "alex")] == ["Alex Smith"]
    assert await storage.participants.find_by_words(a, "alex") == []
    assert (await bind_owners(storage.sessions, storage.ring, batch=2)).by_table == {}

    async with storage.sessions.begin() as s:  # a value slipped in unbound afterwards
        row = await s.get(Note, ids["notes"])
        assert row is not None
        row.content_enc = storage.ring.seal(b"{}", f"notes.content_enc.{row.id}")
    with pytest.raises(IntegrityError, match="not bound to its owner"):
        await storage.notes.get(a, ids["notes"])


async def test_start_up_binds_a_database_from_before_binding(db_url: str, ring: KeyRing) -> None:
    st = await open_storage(db_url, ring=ring)
    try:
        a = await make_worker(st, 1, "A")
        ids = await write_records(st, a)
        total = await unbind_everything(st)
    finally:
        await st.close()
    heard = []
    st = await open_storage(db_url, ring=ring, on_binding=heard.append)
    try:
        assert [(r.finished, sum(r.by_table.values())) for r in heard] == [(True, total)]
        assert await bound_state(st) == (total, 0)
        found = await st.participants.find_by_words(a, "smith")
        assert [p.id for p in found] == [ids["participants"]]
        draft = await st.drafts.get(a)
        assert draft is not None and draft.state["answers"]["summary"] == SECRET
    finally:
        await st.close()
    st = await open_storage(db_url, ring=ring, on_binding=heard.append)
    await st.close()
    assert len(heard) == 1


async def test_start_up_will_not_rebind_a_half_bound_database(db_url: str, ring: KeyRing) -> None:
    """The red team's downgrade: re-point a note to B, put back its value from before binding
    (an old backup) and delete the 'binding done' marker. Start-up must not bind that value
    to B; it refuses, and names the command that finishes a binding on purpose."""
    st = await open_storage(db_url, ring=ring)
    try:
        a = await make_worker(st, 1, "A")
        b = await make_worker(st, 2, "B")
        ids = await write_records(st, a)
        async with st.sessions.begin() as s:
            row = await s.get(Note, ids["notes"])
            assert row is not None
            aad, _ = bound_to(row, "content_enc")
            old = ring.seal(ring.open(row.content_enc, aad, a), aad)  # as before binding
            row.worker_id, row.content_enc = b, old
            await s.execute(delete(Meta).where(Meta.key == OWNER_BINDING))
    finally:
        await st.close()
    with pytest.raises(BindingUnfinished, match="casenotes db bind-owners"):
        await open_storage(db_url, ring=ring)
