"""The reads behind /last on both backends: participants by name word, a participant's latest
notes with their actions, and their open actions (query shapes tuned by benchmarks/lookup.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.records import NewAction, NewNote, NewParticipant, NoteRecord
from storage.service import Storage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


async def make_worker(st: Storage, tg_id: int) -> int:
    invite = await st.workers.create_invite()
    return (await st.workers.redeem_invite(invite.code, tg_id, "Sam", "Europe/London")).id


async def write(
    st: Storage,
    wid: int,
    start: datetime | None,
    *,
    pid: str | None = None,
    name: str | None = None,
    actions: tuple[tuple[str, date | None], ...] = (),
    saved: datetime = NOW,
) -> NoteRecord:
    return await st.notes.save(
        NewNote(
            worker_id=wid,
            template_id="peer_support",
            template_version=2,
            content={"answers": {"summary": "talked"}, "consent_declined": False},
            session_start=start,
            duration_minutes=45,
            participant_id=pid,
            new_participant=NewParticipant(name) if name else None,
            actions=tuple(NewAction(text, "participant", due) for text, due in actions),
        ),
        saved,
    )


async def test_latest_notes_dated_first_then_undated_each_with_its_own_actions(
    storage: Storage,
) -> None:
    wid = await make_worker(storage, 1)
    first = await write(storage, wid, DAY, name="Alex Smith", actions=(("a", None),))
    pid = first.participant_id
    undated_old = await write(
        storage, wid, None, pid=pid, saved=NOW - timedelta(hours=3), actions=(("u1", None),)
    )
    undated_new = await write(storage, wid, None, pid=pid, saved=NOW - timedelta(hours=1))
    week = DAY + timedelta(days=7)
    latest = await write(
        storage, wid, week, pid=pid, saved=NOW - timedelta(hours=4), actions=(("b", None),) * 2
    )
    tie_saved_later = await write(storage, wid, week, pid=pid, saved=NOW - timedelta(hours=2))
    other = await make_worker(storage, 2)
    await write(storage, other, week + timedelta(days=1), name="Alex Smith")

    got = await storage.notes.for_participant(wid, pid or "", limit=10)

    order = [tie_saved_later, latest, first, undated_new, undated_old]
    assert [n.id for n in got] == [n.id for n in order]
    assert [[a.text for a in n.actions] for n in got] == [[], ["b", "b"], ["a"], [], ["u1"]]
    assert all(a.note_id == n.id for n in got for a in n.actions)
    four = await storage.notes.for_participant(wid, pid or "", limit=4)
    assert [n.id for n in four] == [n.id for n in order[:4]]
    one = await storage.notes.for_participant(wid, pid or "", limit=1)
    assert [n.id for n in one] == [tie_saved_later.id]
    assert await storage.notes.for_participant(other, pid or "") == []


async def test_open_actions_are_the_participants_unfinished_ones_soonest_due_first(
    storage: Storage,
) -> None:
    wid = await make_worker(storage, 1)
    later, soon = date(2026, 12, 10), date(2026, 12, 2)
    alex = await write(storage, wid, DAY, name="Alex", actions=(("later", later), ("any", None)))
    pid = alex.participant_id or ""
    again = await write(
        storage, wid, DAY + timedelta(days=1), pid=pid, actions=(("soon", soon), ("done", soon))
    )
    await storage.agenda.complete_action(wid, again.actions[1].id, NOW)
    await write(storage, wid, DAY, name="Sam", actions=(("not alex's", soon),))
    other = await make_worker(storage, 2)
    await write(storage, other, DAY, name="Alex", actions=(("other worker's", soon),))

    got = await storage.notes.open_actions(wid, pid)

    assert [a.text for a in got] == ["soon", "later", "any"]
    assert await storage.notes.open_actions(other, pid) == []


async def test_every_word_must_match_within_the_workers_own_people_latest_first(
    storage: Storage,
) -> None:
    wid = await make_worker(storage, 1)
    older = await write(storage, wid, DAY, name="Alex Smith")
    newer = await write(storage, wid, DAY + timedelta(days=3), name="Alex Jones")
    await write(storage, wid, DAY, name="Sam Smith")
    other = await make_worker(storage, 2)
    await write(storage, other, DAY + timedelta(days=9), name="Alex Smith")

    alex = await storage.participants.find_by_words(wid, "alex")
    assert [p.id for p in alex] == [newer.participant_id, older.participant_id]
    smith = await storage.participants.find_by_words(wid, "SMITH alex")
    assert [p.name for p in smith] == ["Alex Smith"]
    assert [p.id for p in smith] == [older.participant_id]
    assert await storage.participants.find_by_words(wid, "alex brown") == []
