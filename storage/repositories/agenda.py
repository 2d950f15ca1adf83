"""What a worker has to do: open actions, planned sessions, idle drafts, digests due.

Reads across notes, actions, drafts and reminders for the reminder sweep and the /today,
/actions and /reminders views; every query is scoped to one worker unless it feeds the sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update

from storage.models import Action, Draft, Note, Participant, Reminder, Worker
from storage.records import (
    ActionRecord,
    DraftHead,
    IdleDraft,
    Kind,
    OpenAction,
    PlannedSession,
)
from storage.repositories.base import Repository, audit
from storage.repositories.reminders import has_reminder

ACTION_COLUMNS = (
    Action,
    Note.session_start,
    Note.participant_id,
    Participant.name_enc,
    Participant.worker_id,
)


class AgendaRepository(Repository):
    """The worker's open items, read for reminders and the day's overview."""

    def _open_action(self, row: object) -> OpenAction:
        a: Action = row[0]  # type: ignore[index]
        pid = row[2]  # type: ignore[index]
        name = (
            self.open_text(row[3], "participants", "name_enc", pid, owner=row[4])  # type: ignore[index]
            if pid
            else None
        )
        return OpenAction(
            action=ActionRecord(
                id=a.id,
                note_id=a.note_id,
                text=self.open_text(a.text_enc, "actions", "text_enc", a.id, owner=a.worker_id)
                or "",
                who=a.who,
                due=a.due,
                done=a.done,
            ),
            worker_id=a.worker_id,
            session_start=row[1],  # type: ignore[index]
            participant_id=pid,
            participant_name=name,
        )

    def _actions(self) -> object:
        return (
            select(*ACTION_COLUMNS)
            .join(Note, Note.id == Action.note_id)
            .outerjoin(Participant, Participant.id == Note.participant_id)
        )

    async def open_actions(self, worker_id: int, limit: int = 100) -> list[OpenAction]:
        """The worker's unfinished actions: dated ones by due date, then undated ones."""
        query = (
            self._actions()
            .where(Action.worker_id == worker_id, Action.done.is_(False))  # type: ignore[attr-defined]
            .order_by(Action.due.asc().nulls_last(), Note.session_start, Action.id)
            .limit(limit)
        )
        async with self.sessions() as s:
            return [self._open_action(r) for r in await s.execute(query)]

    async def action(self, worker_id: int, action_id: str) -> OpenAction | None:
        """One of the worker's actions (None for anyone else's)."""
        query = self._actions().where(  # type: ignore[attr-defined]
            Action.id == action_id, Action.worker_id == worker_id
        )
        async with self.sessions() as s:
            row = (await s.execute(query)).one_or_none()
            return self._open_action(row) if row is not None else None

    async def still_open(self, action_ids: Iterable[str]) -> set[str]:
        """Which of these actions exist and are not done (no decrypting: for the sweep)."""
        ids = list(set(action_ids))
        if not ids:
            return set()
        query = select(Action.id).where(Action.id.in_(ids), Action.done.is_(False))
        async with self.sessions() as s:
            return set(await s.scalars(query))

    async def complete_action(self, worker_id: int, action_id: str, now: datetime) -> bool:
        """Mark the worker's action done and cancel its reminders; False if it was done or
        is not theirs."""
        async with self.sessions.begin() as s:
            done = await s.scalar(
                update(Action)
                .where(
                    Action.id == action_id, Action.worker_id == worker_id, Action.done.is_(False)
                )
                .values(done=True, done_at=now)
                .returning(Action.id)
                .execution_options(synchronize_session=False)
            )
            if done is None:
                return False
            await s.execute(
                update(Reminder)
                .where(
                    Reminder.worker_id == worker_id,
                    Reminder.ref_id == action_id,
                    Reminder.kind == Kind.ACTION,
                    Reminder.sent_at.is_(None),
                )
                .values(cancelled=True)
                .execution_options(synchronize_session=False)
            )
            about = await s.scalar(
                select(Note.participant_id)
                .join(Action, Action.note_id == Note.id)
                .where(Action.id == action_id)
            )
            await audit(s, self.ring, "action.done", worker_id, action_id, participant_id=about)
            return True

    async def planned_sessions(
        self, worker_id: int, after: datetime, before: datetime | None = None
    ) -> list[PlannedSession]:
        """Sessions planned in the worker's notes that start after ``after`` (and before
        ``before``), soonest first; one per planning note. A session marked as not having
        happened has all its rows cancelled, so it is left out."""
        query = (
            select(
                Reminder.id,
                Reminder.ref_id,
                Reminder.subject_at,
                Reminder.text_enc,
                Note.participant_id,
                Note.duration_minutes,
            )
            .join(Note, Note.id == Reminder.ref_id)
            .where(
                Reminder.worker_id == worker_id,
                Reminder.kind.in_(Kind.SESSIONS),
                Reminder.cancelled.is_(False),
                Reminder.subject_at > after,
            )
            .order_by(Reminder.subject_at, Reminder.id)
        )
        if before is not None:
            query = query.where(Reminder.subject_at <= before)
        seen: dict[str, PlannedSession] = {}
        async with self.sessions() as s:
            for row in await s.execute(query):
                if row.ref_id in seen:
                    continue
                seen[row.ref_id] = PlannedSession(
                    note_id=row.ref_id,
                    start=row.subject_at,
                    participant_id=row.participant_id,
                    label=self.open_text(
                        row.text_enc, "reminders", "text_enc", row.id, owner=worker_id
                    ),
                    duration_minutes=row.duration_minutes,
                )
        return list(seen.values())

    async def written_since(self, worker_id: int, note_id: str, start: datetime) -> bool:
        """Whether a note about the planning note's participant was saved after ``start``,
        the planned session's start (a note written in between is about another session)."""
        first = select(Note.participant_id).where(Note.id == note_id, Note.worker_id == worker_id)
        async with self.sessions() as s:
            planning = (await s.execute(first)).one_or_none()
            if planning is None or planning.participant_id is None:
                return False
            newer = await s.scalar(
                select(Note.id)
                .where(
                    Note.worker_id == worker_id,
                    Note.participant_id == planning.participant_id,
                    Note.created_at > start,
                )
                .limit(1)
            )
            return newer is not None

    async def draft_heads(self, worker_ids: Iterable[int]) -> dict[int, DraftHead]:
        """The open draft of each worker, without decrypting it."""
        ids = list(set(worker_ids))
        if not ids:
            return {}
        query = select(Draft.id, Draft.worker_id, Draft.seq, Draft.created_at, Draft.updated_at)
        async with self.sessions() as s:
            rows = await s.execute(query.where(Draft.worker_id.in_(ids)))
            return {r.worker_id: DraftHead(*r) for r in rows}

    async def idle_drafts(self, idle_since: datetime, limit: int = 500) -> list[IdleDraft]:
        """Drafts untouched since ``idle_since`` whose last nudge is not made yet, of active
        workers who have not blocked the bot since."""
        nudged = has_reminder(Kind.DRAFT_IDLE, Draft.id)
        query = (
            select(
                Draft.id,
                Draft.worker_id,
                Draft.seq,
                Draft.created_at,
                Draft.updated_at,
                nudged.label("nudged"),  # type: ignore[attr-defined]
            )
            .join(Worker, Worker.id == Draft.worker_id)
            .where(
                Draft.updated_at <= idle_since,
                Worker.active.is_(True),
                (Worker.blocked_at.is_(None)) | (Worker.blocked_at < Draft.updated_at),
                ~has_reminder(Kind.DRAFT_LATE, Draft.id),  # type: ignore[operator]
            )
            .order_by(Draft.updated_at)
            .limit(limit)
        )
        async with self.sessions() as s:
            return [
                IdleDraft(
                    DraftHead(r.id, r.worker_id, r.seq, r.created_at, r.updated_at), r.nudged
                )
                for r in await s.execute(query)
            ]

    async def digest_wanted(self, limit: int = 1000) -> list[tuple[int, str, int]]:
        """(worker id, timezone, digest time) of workers with a digest on and none scheduled."""
        scheduled = (
            select(Reminder.id)
            .where(
                Reminder.worker_id == Worker.id,
                Reminder.kind == Kind.DIGEST,
                Reminder.sent_at.is_(None),
                Reminder.cancelled.is_(False),
            )
            .exists()
        )
        query = (
            select(Worker.id, Worker.timezone, Worker.digest_minutes)
            .where(
                Worker.active.is_(True),
                Worker.digest_minutes.is_not(None),
                Worker.blocked_at.is_(None),
                ~scheduled,
            )
            .limit(limit)
        )
        async with self.sessions() as s:
            return [(r.id, r.timezone, int(r.digest_minutes)) for r in await s.execute(query)]
