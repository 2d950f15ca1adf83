"""Completed notes, their agreed actions and the reminders they schedule."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, delete, func, select
from sqlalchemy.orm import aliased

from storage.crypto import KeyRing
from storage.models import Action, Addendum, Draft, Note, Worker
from storage.records import (
    ActionRecord,
    Kind,
    NewNote,
    NewReminder,
    NoteRecord,
    Page,
    SessionLine,
)
from storage.repositories.base import Repository, audit, new_id
from storage.repositories.drafts import DraftConflict
from storage.repositories.participants import ParticipantRepository, owned
from storage.repositories.reminders import ReminderRepository

LATEST_FIRST = (Note.session_start.desc().nulls_last(), Note.created_at.desc())


def _with_actions_of(notes: Select[Note]) -> Select[Note, Action]:
    """The notes ``notes`` picks, each joined to its actions (one row per action)."""
    picked = aliased(Note, notes.subquery())
    return select(picked, Action).outerjoin(Action, Action.note_id == picked.id)


# The lookup's statements are built once: building one costs more than running it.
# Dated notes, then undated ones: each reads ix_notes_person_latest in order, where one
# ORDER BY ... NULLS LAST would sort every note (PostgreSQL) or need an index sorted that way
# (which SQLite cannot build).
_MINE = select(Note).where(
    Note.participant_id == bindparam("participant_id", type_=String),
    Note.worker_id == bindparam("worker_id", type_=Integer),
)
_LIMIT = bindparam("limit", type_=Integer)
LATEST_DATED = _with_actions_of(
    _MINE.where(Note.session_start.is_not(None))
    .order_by(Note.session_start.desc(), Note.created_at.desc())
    .limit(_LIMIT)
)
LATEST_UNDATED = _with_actions_of(
    _MINE.where(Note.session_start.is_(None)).order_by(Note.created_at.desc()).limit(_LIMIT)
)
#: From the participant's notes (ix_notes_person_latest) to their actions: no filter on
#: actions.worker_id, which would tempt a planner into reading every action of the worker;
#: the note's worker_id already scopes it.
OPEN_ACTIONS = (
    select(Action)
    .select_from(Note)
    .join(Action, Action.note_id == Note.id)
    .where(
        Note.participant_id == bindparam("participant_id", type_=String),
        Note.worker_id == bindparam("worker_id", type_=Integer),
        Action.done.is_(False),
    )
    .order_by(Action.due.asc().nulls_last())
)


def content_digest(
    ring: KeyRing,
    content: Any,
    *,
    session_start: datetime | None,
    duration_minutes: int | None,
    template_id: str,
    template_version: int,
) -> str:
    """The keyed hash that locks a note: its content and the facts stored beside it."""
    canonical = json.dumps(
        {
            "content": content,
            "session_start": session_start.astimezone(UTC).isoformat() if session_start else None,
            "duration_minutes": duration_minutes,
            "template": [template_id, template_version],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return ring.digest(canonical.encode())


class NoteRepository(Repository):
    """Notes belong to the worker who wrote them; every read is scoped to that worker."""

    def _action(self, row: Action) -> ActionRecord:
        return ActionRecord(
            id=row.id,
            note_id=row.note_id,
            text=self.open_text(row.text_enc, "actions", "text_enc", row.id, owner=row.worker_id)
            or "",
            who=row.who,
            due=row.due,
            done=row.done,
        )

    def _record(self, row: Note, actions: list[Action]) -> NoteRecord:
        return NoteRecord(
            id=row.id,
            participant_id=row.participant_id,
            worker_id=row.worker_id,
            session_start=row.session_start,
            duration_minutes=row.duration_minutes,
            template_id=row.template_id,
            template_version=row.template_version,
            content=self.open_json(
                row.content_enc, "notes", "content_enc", row.id, owner=row.worker_id
            ),
            status=row.status,
            created_at=row.created_at,
            completed_at=row.completed_at,
            late=row.late,
            actions=tuple(self._action(a) for a in actions),
            content_hash=row.content_hash,
        )

    def intact(self, note: NoteRecord) -> bool:
        """True if the note still matches the hash it was locked with."""
        return note.content_hash is not None and note.content_hash == content_digest(
            self.ring,
            note.content,
            session_start=note.session_start,
            duration_minutes=note.duration_minutes,
            template_id=note.template_id,
            template_version=note.template_version,
        )

    async def save(self, new: NewNote, now: datetime) -> NoteRecord:
        """Store a finished note, its participant, actions and reminders, and drop the draft.

        One transaction: a crash leaves either the draft or the saved note, never half of each.
        The draft goes first and only if it is still the one the caller saw (and at
        ``draft_seq`` when given); otherwise DraftConflict and nothing is stored, so a double
        "Save" never stores two notes.
        """
        note_id = new_id()
        content_enc, content = self.seal_json_as_stored(
            new.content, "notes", "content_enc", note_id, owner=new.worker_id
        )
        digest = content_digest(
            self.ring,
            content,
            session_start=new.session_start,
            duration_minutes=new.duration_minutes,
            template_id=new.template_id,
            template_version=new.template_version,
        )
        people = ParticipantRepository(self.sessions, self.ring)
        later = ReminderRepository(self.sessions, self.ring)
        async with self.sessions.begin() as s:
            if new.draft_id is not None:
                query = delete(Draft).where(
                    Draft.id == new.draft_id, Draft.worker_id == new.worker_id
                )
                if new.draft_seq is not None:
                    query = query.where(Draft.seq == new.draft_seq)
                gone = await s.scalar(
                    query.returning(Draft.id).execution_options(synchronize_session=False)
                )
                if gone is None:
                    raise DraftConflict("the draft was already saved, discarded or moved on")
            worker = await s.get(Worker, new.worker_id)
            if worker is None:
                raise LookupError("no such worker")
            prow = None
            if new.participant_id is not None:
                prow = await owned(s, new.worker_id, new.participant_id)
                if prow is None:
                    raise PermissionError("participant is not this worker's")
            if new.new_participant is not None:
                prow = people.build(new.worker_id, worker.team, new.new_participant)
                prow.last_session_at = new.session_start
                s.add(prow)
                await s.flush()
                s.add_all(people.word_rows(prow, new.new_participant.name))
            row = Note(
                id=note_id,
                participant_id=prow.id if prow is not None else None,
                worker_id=new.worker_id,
                session_start=new.session_start,
                duration_minutes=new.duration_minutes,
                template_id=new.template_id,
                template_version=new.template_version,
                content_enc=content_enc,
                status="complete",
                created_at=now,
                completed_at=now,
                late=new.late,
                content_hash=digest,
            )
            s.add(row)
            await s.flush()
            actions = []
            for item in new.actions:
                aid = new_id()
                arow = Action(
                    id=aid,
                    note_id=note_id,
                    worker_id=new.worker_id,
                    text_enc=self.seal_text(
                        item.text, "actions", "text_enc", aid, owner=new.worker_id
                    ),
                    who=item.who,
                    due=item.due,
                    done=False,
                )
                actions.append(arow)
                s.add(arow)
                if item.remind_at is not None:
                    s.add(
                        later.build(
                            new.worker_id,
                            NewReminder(Kind.ACTION, item.remind_at, aid, text=new.reminder_text),
                        )
                    )
            for planned in new.reminders:
                text = planned.text or new.reminder_text
                s.add(later.build(new.worker_id, replace(planned, ref_id=note_id, text=text)))
            if worker.blocked_at is not None:
                worker.blocked_at = None  # writing a note shows they use the bot again
            start = new.session_start
            if prow is not None and start is not None:
                prow.last_session_at = max(prow.last_session_at or start, start)
            await audit(
                s,
                self.ring,
                "note.saved",
                new.worker_id,
                note_id,
                participant_id=row.participant_id,
            )
        # Built from what was written, not decrypted back.
        return NoteRecord(
            id=note_id,
            participant_id=row.participant_id,
            worker_id=new.worker_id,
            session_start=new.session_start,
            duration_minutes=new.duration_minutes,
            template_id=new.template_id,
            template_version=new.template_version,
            content=content,
            status=row.status,
            created_at=now,
            completed_at=now,
            late=new.late,
            actions=tuple(
                ActionRecord(a.id, note_id, item.text, item.who, item.due, False)
                for a, item in zip(actions, new.actions, strict=True)
            ),
            content_hash=digest,
        )

    async def owner_of(self, note_id: str) -> int | None:
        """The worker a note belongs to (the access check decides what that means)."""
        async with self.sessions() as s:
            return await s.scalar(select(Note.worker_id).where(Note.id == note_id))

    async def get(self, worker_id: int, note_id: str) -> NoteRecord | None:
        """Return one of the worker's notes with its actions."""
        async with self.sessions() as s:
            row = await s.scalar(
                select(Note).where(Note.id == note_id, Note.worker_id == worker_id)
            )
            if row is None:
                return None
            acts = (await s.scalars(select(Action).where(Action.note_id == row.id))).all()
            return self._record(row, list(acts))

    async def for_participant(
        self, worker_id: int, participant_id: str, limit: int = 10
    ) -> list[NoteRecord]:
        """Return the worker's notes for a participant, latest session first."""
        mine = {"participant_id": participant_id, "worker_id": worker_id}
        async with self.sessions() as s:
            found = await self._joined(s, LATEST_DATED, {**mine, "limit": limit})
            if len(found) < limit:
                more = {**mine, "limit": limit - len(found)}
                found += await self._joined(s, LATEST_UNDATED, more)
            return found

    async def last_session(
        self, worker_id: int, participant_id: str
    ) -> tuple[NoteRecord | None, list[ActionRecord]]:
        """The latest note and every open action about a participant, in one session: the
        /last card's reads, without a second connection checkout."""
        mine = {"participant_id": participant_id, "worker_id": worker_id}
        async with self.sessions() as s:
            found = await self._joined(s, LATEST_DATED, {**mine, "limit": 1})
            if not found:
                found = await self._joined(s, LATEST_UNDATED, {**mine, "limit": 1})
            if not found:
                return None, []
            rows = await s.scalars(OPEN_ACTIONS, mine)
            return found[0], [self._action(r) for r in rows]

    async def _joined(
        self, s: Any, query: Select[Note, Action], params: dict[str, Any]
    ) -> list[NoteRecord]:
        """Notes with their actions from one of the _with_actions_of statements, latest first."""
        by_note: dict[str, tuple[Note, list[Action]]] = {}
        for note, action in await s.execute(query, params):
            _, actions = by_note.setdefault(note.id, (note, []))
            if action is not None:
                actions.append(action)
        latest = sorted(
            by_note.values(),
            key=lambda pair: (pair[0].session_start or pair[0].created_at, pair[0].created_at),
            reverse=True,
        )
        return [self._record(note, actions) for note, actions in latest]

    async def _with_actions(self, s: Any, rows: list[Note]) -> list[NoteRecord]:
        if not rows:
            return []
        acts = (
            await s.scalars(select(Action).where(Action.note_id.in_([r.id for r in rows])))
        ).all()
        by_note: dict[str, list[Action]] = {}
        for a in acts:
            by_note.setdefault(a.note_id, []).append(a)
        return [self._record(r, by_note.get(r.id, [])) for r in rows]

    async def whole_record(self, worker_id: int, participant_id: str) -> list[NoteRecord]:
        """Every note of the worker's about a participant, oldest session first."""
        async with self.sessions() as s:
            rows = (
                await s.scalars(
                    select(Note)
                    .where(Note.worker_id == worker_id, Note.participant_id == participant_id)
                    .order_by(Note.session_start.asc().nulls_first(), Note.created_at.asc())
                )
            ).all()
            return await self._with_actions(s, list(rows))

    async def history(self, worker_id: int, participant_id: str, page: int, size: int = 6) -> Page:
        """One page of a participant's sessions, newest first, without decrypting a note."""
        where = (Note.worker_id == worker_id, Note.participant_id == participant_id)
        async with self.sessions() as s:
            total = await s.scalar(select(func.count()).select_from(Note).where(*where)) or 0
            pages = max(1, -(-total // size))
            page = min(max(page, 0), pages - 1)
            extra = (
                select(func.count())
                .select_from(Addendum)
                .where(Addendum.note_id == Note.id)
                .scalar_subquery()
            )
            rows = await s.execute(
                select(
                    Note.id,
                    Note.session_start,
                    Note.duration_minutes,
                    Note.late,
                    Note.completed_at,
                    extra,
                    Note.content_enc,
                    Note.template_id,
                    Note.template_version,
                )
                .where(*where)
                .order_by(*LATEST_FIRST)
                .offset(page * size)
                .limit(size)
            )
            items = tuple(
                SessionLine(
                    note_id=r[0],
                    session_start=r[1],
                    duration_minutes=r[2],
                    late=r[3],
                    completed_at=r[4],
                    addenda=r[5],
                    content=self.open_json(r[6], "notes", "content_enc", r[0], owner=worker_id),
                    template_id=r[7],
                    template_version=r[8],
                )
                for r in rows
            )
            return Page(items, page, pages, total)

    async def open_actions(self, worker_id: int, participant_id: str) -> list[ActionRecord]:
        """Return every unfinished action from the worker's notes about a participant."""
        async with self.sessions() as s:
            rows = await s.scalars(
                OPEN_ACTIONS, {"participant_id": participant_id, "worker_id": worker_id}
            )
            return [self._action(r) for r in rows]

    async def recent_durations(self, worker_id: int, limit: int = 10) -> list[int]:
        """Return the durations (minutes) of the worker's latest sessions, newest first."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Note.duration_minutes)
                .where(Note.worker_id == worker_id, Note.duration_minutes.is_not(None))
                .order_by(Note.session_start.desc().nulls_last(), Note.created_at.desc())
                .limit(limit)
            )
            return [int(m) for m in rows.all() if m is not None]

    async def hash_unlocked(self, batch: int = 200) -> int:
        """Lock notes saved before notes were locked: hash them once; resumable."""
        done = 0
        while True:
            async with self.sessions.begin() as s:
                rows = (
                    await s.scalars(select(Note).where(Note.content_hash.is_(None)).limit(batch))
                ).all()
                for row in rows:
                    row.content_hash = content_digest(
                        self.ring,
                        self.open_json(
                            row.content_enc, "notes", "content_enc", row.id, owner=row.worker_id
                        ),
                        session_start=row.session_start,
                        duration_minutes=row.duration_minutes,
                        template_id=row.template_id,
                        template_version=row.template_version,
                    )
            done += len(rows)
            if len(rows) < batch:
                return done

    async def count(self, worker_id: int) -> int:
        """Return how many notes the worker has saved."""
        async with self.sessions() as s:
            rows = await s.scalars(select(Note.id).where(Note.worker_id == worker_id))
            return len(rows.all())
