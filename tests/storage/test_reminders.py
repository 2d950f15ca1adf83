"""Reminder rows on both backends: atomic claims, leases, backoff, shared pacing, cancelling."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from storage.models import Reminder
from storage.records import Kind, NewAction, NewNote, NewParticipant, NewReminder
from storage.service import Storage

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def make_worker(st: Storage, tg_id: int = 1001, tz: str = "Europe/London") -> int:
    invite = await st.workers.create_invite()
    return (await st.workers.redeem_invite(invite.code, tg_id, "Sam", tz, NOW)).id


async def due_rows(st: Storage, worker_id: int, n: int, at: datetime = NOW) -> None:
    rows = [NewReminder(Kind.DIGEST, at - timedelta(seconds=i), text=f"r{i}") for i in range(n)]
    assert await st.reminders.add(worker_id, rows) == n


async def test_claims_are_exclusive_and_in_due_order(storage: Storage) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 120)
    await storage.reminders.add(wid, [NewReminder(Kind.DIGEST, NOW + timedelta(minutes=1))])
    claims = await asyncio.gather(
        *(storage.reminders.claim_due(f"t{i}", NOW, limit=25) for i in range(6))
    )
    assert all(len(batch) <= 25 for batch in claims)  # the limit holds (on PostgreSQL too)
    ids = [r.id for batch in claims for r in batch]
    assert len(ids) == len(set(ids)) == 120  # each due row once; the future one not at all
    for batch in claims:
        assert [r.due_at for r in batch] == sorted(r.due_at for r in batch)
        assert all(r.attempts == 0 for r in batch)  # a claim is not an attempt
    assert await storage.reminders.claim_due("late", NOW) == []


async def test_one_claim_takes_at_most_its_limit(storage: Storage) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 60)
    assert len(await storage.reminders.claim_due("a", NOW, limit=7)) == 7
    assert len(await storage.reminders.claim_due("b", NOW, limit=100)) == 53


async def test_a_lost_claim_comes_back_after_its_lease_and_cannot_be_marked_twice(
    storage: Storage,
) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 1)
    lease = timedelta(minutes=5)
    [first] = await storage.reminders.claim_due("crashed", NOW, lease=lease)
    assert await storage.reminders.claim_due("other", NOW + timedelta(minutes=4)) == []
    [again] = await storage.reminders.claim_due("other", NOW + lease, lease=lease)
    assert again.id == first.id and again.attempts == 0  # nothing failed
    assert not await storage.reminders.mark_sent(first.id, "crashed", NOW + lease)
    assert await storage.reminders.mark_sent(first.id, "other", NOW + lease)
    assert not await storage.reminders.mark_sent(first.id, "other", NOW + lease)
    assert await storage.reminders.claim_due("third", NOW + timedelta(hours=1)) == []


async def test_a_released_row_waits_for_its_retry_time(storage: Storage) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 1)
    [row] = await storage.reminders.claim_due("a", NOW)
    later = NOW + timedelta(seconds=30)
    assert await storage.reminders.release(row.id, "a", later, "RetryAfter")
    assert await storage.reminders.claim_due("b", NOW + timedelta(seconds=29)) == []
    [back] = await storage.reminders.claim_due("b", later)
    assert back.id == row.id and back.attempts == 1
    assert await storage.reminders.drop(back.id, "b", "Forbidden")
    assert await storage.reminders.claim_due("c", later + timedelta(days=1)) == []


async def test_send_slots_are_shared_and_never_overlap(storage: Storage) -> None:
    starts = await asyncio.gather(
        *(storage.reminders.reserve_slots(10, 20.0, 1000.0) for _ in range(5))
    )
    windows = sorted((s, s + 0.5) for s in starts)
    assert windows[0][0] == 1000.0
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert abs(start - end) < 1e-6
    # Idle for a while: the next reservation starts now, not in the past.
    assert await storage.reminders.reserve_slots(1, 20.0, 5000.0) == 5000.0


async def test_a_dedupe_key_makes_one_row(storage: Storage) -> None:
    wid = await make_worker(storage)
    row = NewReminder(Kind.DRAFT_IDLE, NOW, "d" * 32, dedupe="draft_idle:" + "d" * 32)
    added = await asyncio.gather(*(storage.reminders.add(wid, [row]) for _ in range(4)))
    assert sum(added) == 1
    assert len(await storage.reminders.pending_for(wid)) == 1


async def test_reminders_are_the_workers_own(storage: Storage) -> None:
    a, b = await make_worker(storage, 1), await make_worker(storage, 2)
    await storage.reminders.add(a, [NewReminder(Kind.DIGEST, NOW, text="secret")])
    [mine] = await storage.reminders.pending_for(a)
    assert mine.text == "secret"
    assert await storage.reminders.get(b, mine.id) is None
    assert not await storage.reminders.cancel(b, mine.id)
    assert await storage.reminders.get(a, "0" * 32) is None
    assert await storage.reminders.cancel(a, mine.id)
    async with storage.sessions() as s:
        sealed = await s.scalar(select(Reminder.text_enc).where(Reminder.id == mine.id))
    assert sealed is not None and b"secret" not in sealed


async def test_blocked_workers_reminders_are_held_removed_workers_lose_them(
    storage: Storage,
) -> None:
    a, b = await make_worker(storage, 1), await make_worker(storage, 2)
    for wid in (a, b):
        await due_rows(storage, wid, 3)
    await storage.reminders.worker_unreachable(a, NOW)
    assert len(await storage.reminders.pending_for(a)) == 3  # held, not cancelled
    assert await storage.workers.deactivate(b)
    assert await storage.reminders.pending_for(b) == []
    assert await storage.reminders.claim_due("t", NOW) == []
    # Changing a setting shows the worker is back: new reminders are made for them again.
    assert await storage.agenda.digest_wanted() == []
    await storage.workers.update_settings(a, digest_minutes=8 * 60)
    back = await storage.reminders.claim_due("t", NOW)
    assert len(back) == 3  # back: the held ones go out after all
    for r in back:
        assert await storage.reminders.mark_sent(r.id, "t", NOW)
    assert [w for w, _, _ in await storage.agenda.digest_wanted()] == [a]
    await storage.reminders.worker_unreachable(a, NOW)
    assert (await storage.workers.get(a)).blocked_at == NOW  # type: ignore[union-attr]
    assert await storage.workers.back(a)
    assert not await storage.workers.back(a)  # one statement, only while blocked


async def save_note(st: Storage, wid: int, name: str = "Alex Smith", **kw: object) -> object:
    return await st.notes.save(
        NewNote(
            worker_id=wid,
            template_id="peer_support",
            template_version=1,
            content={},
            session_start=NOW - timedelta(days=1),
            duration_minutes=45,
            new_participant=NewParticipant(name),
            reminder_text="A. S.",
            **kw,  # type: ignore[arg-type]
        ),
        NOW,
    )


async def test_completing_an_action_cancels_its_reminders_only(storage: Storage) -> None:
    wid = await make_worker(storage)
    other = await make_worker(storage, 2)
    note = await save_note(
        storage,
        wid,
        actions=(
            NewAction("Call the council", "worker", date(2026, 11, 30), NOW + timedelta(days=7)),
            NewAction("Send leaflet", "worker", date(2026, 12, 1), NOW + timedelta(days=8)),
        ),
    )
    first, second = note.actions  # type: ignore[attr-defined]
    assert not await storage.agenda.complete_action(other, first.id, NOW)
    assert await storage.agenda.complete_action(wid, first.id, NOW)
    assert not await storage.agenda.complete_action(wid, first.id, NOW)
    pending = await storage.reminders.pending_for(wid)
    assert [(r.ref_id, r.text) for r in pending] == [(second.id, "A. S.")]
    [open_] = await storage.agenda.open_actions(wid)
    assert open_.action.text == "Send leaflet" and open_.participant_name == "Alex Smith"


async def test_planned_sessions_and_whether_they_were_written(storage: Storage) -> None:
    wid = await make_worker(storage)
    start = NOW + timedelta(days=2)
    planned = (
        NewReminder(Kind.SESSION_DAY, start - timedelta(days=1), subject_at=start),
        NewReminder(Kind.SESSION_SOON, start - timedelta(hours=1), subject_at=start),
        NewReminder(Kind.MISSING_NOTE, start + timedelta(hours=3), subject_at=start),
    )
    note = await save_note(storage, wid, reminders=planned)
    [session] = await storage.agenda.planned_sessions(wid, NOW)
    assert (session.note_id, session.start, session.label) == (note.id, start, "A. S.")  # type: ignore[attr-defined]
    assert session.duration_minutes == 45
    assert not await storage.agenda.written_since(wid, note.id, start)  # type: ignore[attr-defined]
    pid = note.participant_id  # type: ignore[attr-defined]
    # A note about a session in between is not the planned one.
    await storage.notes.save(
        NewNote(wid, "peer_support", 1, {}, NOW, 45, participant_id=pid),
        NOW + timedelta(seconds=1),
    )
    assert not await storage.agenda.written_since(wid, note.id, start)  # type: ignore[attr-defined]
    await storage.notes.save(
        NewNote(wid, "peer_support", 1, {}, start, 45, participant_id=pid),
        start + timedelta(hours=1),
    )
    assert await storage.agenda.written_since(wid, note.id, start)  # type: ignore[attr-defined]
    # "It didn't happen" closes every row about it: the session is no longer planned.
    await storage.reminders.cancel_about(wid, note.id, Kind.SESSIONS, sent_too=True)  # type: ignore[attr-defined]
    assert await storage.agenda.planned_sessions(wid, NOW) == []


async def test_idle_drafts_until_their_last_nudge(storage: Storage) -> None:
    wid = await make_worker(storage)
    draft = await storage.drafts.start(wid, {"x": 1}, NOW)
    assert await storage.agenda.idle_drafts(NOW - timedelta(hours=2)) == []
    [idle] = await storage.agenda.idle_drafts(NOW + timedelta(hours=1))
    assert idle.draft.id == draft.id and not idle.nudged
    first = NewReminder(Kind.DRAFT_IDLE, NOW, draft.id, dedupe=f"draft_idle:{draft.id}")
    await storage.reminders.add(wid, [first])
    [idle] = await storage.agenda.idle_drafts(NOW + timedelta(hours=1))
    assert idle.nudged
    last = NewReminder(Kind.DRAFT_LATE, NOW, draft.id, dedupe=f"draft_late:{draft.id}")
    await storage.reminders.add(wid, [last])
    assert await storage.agenda.idle_drafts(NOW + timedelta(hours=1)) == []


async def test_reschedule_moves_only_what_the_rule_says(storage: Storage) -> None:
    wid = await make_worker(storage)
    rows = [NewReminder(Kind.ACTION, NOW + timedelta(days=i), text=str(i)) for i in range(3)]
    await storage.reminders.add(wid, rows)
    moved = await storage.reminders.reschedule(
        wid, [Kind.ACTION], lambda r: r.due_at + timedelta(hours=1) if r.text != "1" else None
    )
    assert moved == 2
    got = {r.text: r.due_at for r in await storage.reminders.pending_for(wid)}
    assert got == {
        "0": NOW + timedelta(hours=1),
        "1": NOW + timedelta(days=1),
        "2": NOW + timedelta(days=2, hours=1),
    }


async def test_an_unreadable_row_is_given_back_alone_and_given_up_at_the_limit(
    storage: Storage,
) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 3)
    bad = (await storage.reminders.pending_for(wid))[1].id
    async with storage.sessions.begin() as s:
        await s.execute(update(Reminder).where(Reminder.id == bad).values(text_enc=b"garbage"))
    got = await storage.reminders.claim_due("a", NOW)
    assert len(got) == 2 and bad not in {r.id for r in got}  # the rest of the batch proceeds
    for r in got:
        assert await storage.reminders.mark_sent(r.id, "a", NOW)
    async with storage.sessions() as s:
        row = (await s.execute(select(Reminder).where(Reminder.id == bad))).scalar_one()
    assert row.claimed_by is None and row.attempts == 1 and row.last_error == "unreadable"
    at = NOW
    for _ in range(3):  # after the lease it is tried again, until the attempt limit
        at += timedelta(minutes=5)
        assert await storage.reminders.claim_due("b", at, max_attempts=3) == []
    async with storage.sessions() as s:
        row = (await s.execute(select(Reminder).where(Reminder.id == bad))).scalar_one()
    assert row.cancelled and row.attempts == 3 and row.last_error == "too many attempts"


async def test_a_row_left_sending_counts_as_sent_after_its_lease(storage: Storage) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 2)
    lease = timedelta(minutes=5)
    crashed, failed = await storage.reminders.claim_due("crashed", NOW, lease=lease)
    assert await storage.reminders.begin_send(crashed.id, "crashed", NOW)
    assert await storage.reminders.begin_send(failed.id, "crashed", NOW)
    # A send that failed for sure is given back; the other crashed mid-call.
    assert await storage.reminders.release(failed.id, "crashed", NOW, "BadRequest")
    [again] = await storage.reminders.claim_due("other", NOW + lease, lease=lease)
    assert again.id == failed.id  # only the one that surely did not arrive
    async with storage.sessions() as s:
        sent_at = await s.scalar(select(Reminder.sent_at).where(Reminder.id == crashed.id))
    assert sent_at == NOW
    assert await storage.reminders.mark_sent(again.id, "other", NOW + lease)
    assert await storage.reminders.claim_due("third", NOW + 3 * lease) == []


async def test_a_row_cancelled_after_its_claim_is_not_sent(storage: Storage) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 3)
    first, second, third = await storage.reminders.claim_due("a", NOW)
    assert await storage.reminders.cancel(wid, first.id)
    assert not await storage.reminders.begin_send(first.id, "a", NOW)
    assert await storage.reminders.begin_send(second.id, "a", NOW)
    assert await storage.reminders.cancel(wid, second.id)  # cancelled while in flight
    assert not await storage.reminders.mark_sent(second.id, "a", NOW)
    assert not await storage.reminders.begin_send(third.id, "other", NOW)  # not its claim
    assert await storage.workers.deactivate(wid)
    assert not await storage.reminders.begin_send(third.id, "a", NOW)


async def test_only_real_failures_use_up_attempts(storage: Storage) -> None:
    wid = await make_worker(storage)
    await due_rows(storage, wid, 1)
    lease = timedelta(minutes=5)
    [row] = await storage.reminders.claim_due("a", NOW, lease=lease)
    assert await storage.reminders.release(row.id, "a", NOW, None)  # paced to the next sweep
    [row] = await storage.reminders.claim_due("b", NOW, lease=lease)
    [row] = await storage.reminders.claim_due("c", NOW + lease, lease=lease)  # lease ran out
    assert row.attempts == 0
    assert await storage.reminders.release(row.id, "c", NOW + lease, "NetworkError")
    [row] = await storage.reminders.claim_due("d", NOW + lease)
    assert row.attempts == 1
