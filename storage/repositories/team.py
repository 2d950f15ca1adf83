"""A team at a glance, for its supervisor: figures per worker and a worker's recent notes.

Nothing here decrypts: figures are counts, note heads are dates and ids. Whether the reader
may see them is decided above (bot/service/access.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ScalarSelect, and_, case, func, or_, select

from storage.models import Action, Draft, Note, Review
from storage.records import Page
from storage.repositories.base import Repository


@dataclass(frozen=True)
class TeamFigures:
    """One worker's counts: notes and late notes this week, drafts, overdue actions."""

    notes_week: int = 0
    late_week: int = 0
    drafts: int = 0
    overdue: int = 0


#: A note's review state, from its latest review: none yet, done, asked to revise, or a
#: revision the worker answered (which awaits review again).
AWAITING, REVIEWED, NEEDS_REVISION, ANSWERED = "awaiting", "reviewed", "needs_revision", "answered"


@dataclass(frozen=True)
class NoteHead:
    """A saved note as a list shows it, without its content."""

    id: str
    worker_id: int
    participant_id: str | None
    session_start: datetime | None
    created_at: datetime
    late: bool
    review: str


def review_state() -> ScalarSelect[str]:
    """The state of the latest review of the outer query's note (NULL: never reviewed)."""
    state = case(
        (Review.status == "reviewed", REVIEWED),
        (Review.answered_at.is_(None), NEEDS_REVISION),
        else_=ANSWERED,
    )
    return (
        select(state)
        .where(Review.note_id == Note.id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(1)
        .correlate(Note)
        .scalar_subquery()
    )


class TeamRepository(Repository):
    """Aggregate reads over several workers' rows: one query per figure, grouped by worker."""

    async def figures(
        self, week_from: Mapping[int, datetime], today: Mapping[int, date]
    ) -> dict[int, TeamFigures]:
        """Counts for each worker in ``week_from`` (their local Monday 00:00 in UTC; ``today``
        their local date): notes and late notes saved since, unfinished drafts, open actions
        due before today."""
        ids = list(week_from)
        if not ids:
            return {}
        in_week = or_(
            *(and_(Note.worker_id == w, Note.created_at >= b) for w, b in week_from.items())
        )
        overdue = or_(*(and_(Action.worker_id == w, Action.due < d) for w, d in today.items()))
        notes_q = (
            select(Note.worker_id, func.count(), func.sum(case((Note.late.is_(True), 1), else_=0)))
            .where(in_week)
            .group_by(Note.worker_id)
        )
        drafts_q = (
            select(Draft.worker_id, func.count())
            .where(Draft.worker_id.in_(ids))
            .group_by(Draft.worker_id)
        )
        actions_q = (
            select(Action.worker_id, func.count())
            .where(Action.done.is_(False), Action.due.is_not(None), overdue)
            .group_by(Action.worker_id)
        )
        async with self.sessions() as s:
            notes = {w: (int(n), int(late or 0)) for w, n, late in await s.execute(notes_q)}
            drafts = {w: int(n) for w, n in await s.execute(drafts_q)}
            actions = {w: int(n) for w, n in await s.execute(actions_q)}
        return {
            w: TeamFigures(*notes.get(w, (0, 0)), drafts.get(w, 0), actions.get(w, 0)) for w in ids
        }

    async def recent_notes(self, worker_id: int, page: int, size: int = 8) -> Page:
        """One page of a worker's notes, latest session first, with each one's review state."""
        where = Note.worker_id == worker_id
        async with self.sessions() as s:
            total = int(await s.scalar(select(func.count()).select_from(Note).where(where)) or 0)
            pages = max(1, -(-total // size))
            page = min(max(page, 0), pages - 1)
            rows = await s.execute(
                select(*_HEAD, review_state())
                .where(where)
                .order_by(Note.session_start.desc().nulls_last(), Note.created_at.desc(), Note.id)
                .offset(page * size)
                .limit(size)
            )
            return Page(tuple(_head(r) for r in rows), page, pages, total)

    async def awaiting_review(
        self, worker_ids: list[int], since: datetime, page: int, size: int = 8
    ) -> Page:
        """These workers' notes saved since ``since`` that no review settles yet (never
        reviewed, or a revision answered), oldest first."""
        if not worker_ids:
            return Page((), 0, 1, 0)
        state = review_state()
        where = and_(
            Note.worker_id.in_(worker_ids),
            Note.created_at >= since,
            or_(state.is_(None), state == ANSWERED),
        )
        async with self.sessions() as s:
            total = int(await s.scalar(select(func.count()).select_from(Note).where(where)) or 0)
            pages = max(1, -(-total // size))
            page = min(max(page, 0), pages - 1)
            rows = await s.execute(
                select(*_HEAD, state)
                .where(where)
                .order_by(Note.created_at, Note.id)
                .offset(page * size)
                .limit(size)
            )
            return Page(tuple(_head(r) for r in rows), page, pages, total)


_HEAD = (
    Note.id,
    Note.worker_id,
    Note.participant_id,
    Note.session_start,
    Note.created_at,
    Note.late,
)


def _head(row: Any) -> NoteHead:
    return NoteHead(
        row[0], row[1], row[2], row[3], row[4], bool(row[5]), review=row[6] or AWAITING
    )
