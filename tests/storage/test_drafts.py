"""Drafts on both backends: compare-and-set steps, remembered messages, the tidy-up queue."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage.metrics import QueryCounter
from storage.records import NewNote, TidyBatch
from storage.repositories import DraftConflict
from storage.service import Storage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
TWO_DAYS = timedelta(hours=48)


async def make_worker(st: Storage, tg_id: int = 1001) -> int:
    invite = await st.workers.create_invite()
    return (await st.workers.redeem_invite(invite.code, tg_id, "Sam", "Europe/London")).id


def finished(wid: int, draft_id: str, seq: int | None) -> NewNote:
    return NewNote(
        worker_id=wid,
        template_id="peer_support",
        template_version=1,
        content={"summary": "went well"},
        session_start=NOW - timedelta(hours=2),
        duration_minutes=30,
        draft_id=draft_id,
        draft_seq=seq,
    )


async def test_start_get_and_advance(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"step": "a", "pair": (1, 2)}, NOW)
    assert (draft.seq, draft.state, draft.created_at, draft.updated_at) == (
        1,
        {"step": "a", "pair": [1, 2]},
        NOW,
        NOW,
    )
    assert await storage.drafts.get(wid) == draft
    moved = await storage.drafts.advance(draft.id, wid, 1, {"step": "b"}, LATER)
    assert moved is not None
    assert (moved.seq, moved.state, moved.created_at, moved.updated_at) == (
        2,
        {"step": "b"},
        NOW,
        LATER,
    )
    assert await storage.drafts.get(wid) == moved


async def test_start_refuses_a_second_draft_and_keeps_the_first(storage: Storage) -> None:
    wid = await make_worker(storage)
    first = await storage.drafts.start(wid, {"n": 1}, NOW)
    with pytest.raises(DraftConflict):
        await storage.drafts.start(wid, {"n": 2}, LATER)
    assert await storage.drafts.get(wid) == first


async def test_advance_refuses_a_stale_step_another_worker_or_a_gone_draft(
    storage: Storage,
) -> None:
    wid = await make_worker(storage)
    other = await make_worker(storage, 2002)
    draft = await storage.drafts.start(wid, {"n": 1}, NOW)
    assert await storage.drafts.advance(draft.id, wid, 2, {"n": 9}, LATER) is None
    assert await storage.drafts.advance(draft.id, other, 1, {"n": 9}, LATER) is None
    assert await storage.drafts.get(wid) == draft
    assert await storage.drafts.discard(wid, draft.id) is not None
    assert await storage.drafts.advance(draft.id, wid, 1, {"n": 9}, LATER) is None


async def test_two_advances_from_one_step_exactly_one_wins(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"n": 0}, NOW)
    results = await asyncio.gather(
        *(storage.drafts.advance(draft.id, wid, 1, {"n": i}, LATER) for i in range(1, 5))
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and winners[0].seq == 2
    assert await storage.drafts.get(wid) == winners[0]


async def test_discard_matches_worker_and_step(storage: Storage) -> None:
    wid = await make_worker(storage)
    other = await make_worker(storage, 2002)
    draft = await storage.drafts.start(wid, {"n": 1}, NOW)
    assert await storage.drafts.discard(other, draft.id) is None
    assert await storage.drafts.discard(wid, draft.id, expected_seq=2) is None
    assert await storage.drafts.get(wid) == draft
    assert await storage.drafts.discard(wid, draft.id, expected_seq=1) == draft
    assert await storage.drafts.get(wid) is None
    assert await storage.drafts.discard(wid, draft.id) is None
    again = await storage.drafts.start(wid, {"n": 2}, LATER)
    assert again.id != draft.id and again.seq == 1


async def test_messages_are_remembered_in_order_once_and_forgotten(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {}, NOW)
    await storage.drafts.remember_messages(draft.id, wid, 77, [12, 10, 12], NOW)
    await storage.drafts.remember_messages(draft.id, wid, 77, [11, 10], LATER)
    await storage.drafts.remember_messages(draft.id, wid, 77, [], LATER)
    assert await storage.drafts.messages(draft.id) == [10, 11, 12]
    await storage.drafts.forget_messages(draft.id, [10, 12])
    assert await storage.drafts.messages(draft.id) == [11]
    await storage.drafts.forget_messages(draft.id, [])
    assert await storage.drafts.messages(draft.id) == [11]
    # They outlive the draft, so a failed tidy-up can be retried.
    await storage.drafts.discard(wid, draft.id)
    assert await storage.drafts.messages(draft.id) == [11]
    await storage.drafts.forget_messages(draft.id)
    assert await storage.drafts.messages(draft.id) == []


async def test_save_with_a_stale_step_stores_nothing(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"n": 1}, NOW)
    moved = await storage.drafts.advance(draft.id, wid, 1, {"n": 2}, LATER)
    assert moved is not None
    with pytest.raises(DraftConflict):
        await storage.notes.save(finished(wid, draft.id, 1), LATER)
    assert await storage.notes.count(wid) == 0
    assert await storage.drafts.get(wid) == moved
    saved = await storage.notes.save(finished(wid, draft.id, 2), LATER)
    assert await storage.notes.count(wid) == 1 and saved.late is False
    assert await storage.drafts.get(wid) is None
    with pytest.raises(DraftConflict):
        await storage.notes.save(finished(wid, draft.id, None), LATER)
    assert await storage.notes.count(wid) == 1


async def test_a_double_save_stores_one_note(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"n": 1}, NOW)
    results = await asyncio.gather(
        *(storage.notes.save(finished(wid, draft.id, 1), LATER) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, DraftConflict) for r in results) == 2
    assert await storage.notes.count(wid) == 1


async def test_tidy_backlog_returns_ended_drafts_and_drops_old_rows(storage: Storage) -> None:
    wid = await make_worker(storage)
    other = await make_worker(storage, 2002)
    saved = await storage.drafts.start(wid, {}, NOW - timedelta(days=3))
    await storage.drafts.remember_messages(saved.id, wid, 77, [5], NOW - timedelta(days=3))
    await storage.drafts.remember_messages(saved.id, wid, 77, [21, 20], NOW - timedelta(hours=2))
    await storage.drafts.remember_messages(saved.id, wid, 77, [20], NOW - timedelta(hours=1))
    await storage.notes.save(finished(wid, saved.id, 1), NOW)
    live = await storage.drafts.start(other, {}, NOW - timedelta(days=3))
    await storage.drafts.remember_messages(live.id, other, 88, [1], NOW - timedelta(days=3))
    await storage.drafts.remember_messages(live.id, other, 88, [30], NOW)

    backlog = await storage.drafts.tidy_backlog(NOW, TWO_DAYS)

    assert backlog == [TidyBatch(saved.id, wid, 77, (20, 21), NOW - timedelta(hours=2))]
    # Too old for Telegram to delete, so dropped, even under a draft that is still open.
    assert await storage.drafts.messages(saved.id) == [20, 21]
    assert await storage.drafts.messages(live.id) == [30]
    await storage.drafts.forget_messages(saved.id, backlog[0].message_ids)
    assert await storage.drafts.tidy_backlog(NOW, TWO_DAYS) == []


async def test_tidy_backlog_hands_out_the_oldest_drafts_first(storage: Storage) -> None:
    wid = await make_worker(storage)
    for age in (3, 1, 2):
        draft = await storage.drafts.start(wid, {}, NOW)
        at = NOW - timedelta(hours=age)
        await storage.drafts.remember_messages(draft.id, wid, 77, [age], at)
        await storage.drafts.remember_messages(draft.id, wid, 78, [age * 10], at)
        await storage.drafts.discard(wid, draft.id)
    backlog = await storage.drafts.tidy_backlog(NOW, TWO_DAYS, limit=2)
    assert [(b.chat_id, b.message_ids) for b in backlog] == [
        (77, (3,)),
        (78, (30,)),
        (77, (2,)),
        (78, (20,)),
    ]


async def test_a_step_costs_one_statement_and_no_decrypt(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"n": 1}, NOW)
    with QueryCounter(storage) as read:
        await storage.drafts.get(wid)
    with QueryCounter(storage) as step:
        await storage.drafts.advance(draft.id, wid, 1, {"n": 2}, LATER)
    with QueryCounter(storage) as remember:
        await storage.drafts.remember_messages(draft.id, wid, 77, [1, 2, 3], LATER)
    assert (read.statements, read.decrypts) == (1, 1)
    assert (step.statements, step.decrypts) == (1, 0), step.sql
    assert (remember.statements, remember.decrypts) == (1, 0), remember.sql


async def test_the_counter_stops_counting_when_the_block_ends(storage: Storage) -> None:
    wid = await make_worker(storage)
    await storage.drafts.start(wid, {"n": 1}, NOW)
    with QueryCounter(storage) as c:
        await storage.drafts.get(wid)
        await storage.drafts.get(wid)
    await storage.drafts.get(wid)
    assert (c.statements, c.decrypts, len(c.sql)) == (2, 2, 2)
    assert c.sql[0].lstrip().upper().startswith("SELECT")


async def test_saving_a_note_decrypts_nothing(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"n": 1}, NOW)
    with QueryCounter(storage) as c:
        note = await storage.notes.save(finished(wid, draft.id, 1), LATER)
    assert c.decrypts == 0
    # draft delete, worker read, note insert, and the audit append: move the chain's head
    # (taking its lock), insert the entry, store the head's new hash
    assert c.statements == 6, c.sql
    assert await storage.notes.get(wid, note.id) == note
