"""Participants: found by blind index, always scoped to the worker who owns them."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import KeyRing, drop_invisible, name_words
from storage.models import Participant, ParticipantWord
from storage.records import NewParticipant, Page, ParticipantRecord
from storage.repositories.base import Repository, new_id, utcnow

T = "participants"
LATEST_FIRST = (Participant.last_session_at.desc().nulls_last(), Participant.created_at.desc())
# The lookup's statements are built once: building one costs more than running it.
_WORKER = bindparam("worker_id", type_=Integer)
_HITS = (
    select(ParticipantWord.participant_id)
    .where(
        ParticipantWord.worker_id == _WORKER,
        ParticipantWord.word_index.in_(bindparam("words", expanding=True)),
    )
    .group_by(ParticipantWord.participant_id)
    .having(func.count() == bindparam("count", type_=Integer))
    .subquery()
)
#: Joined rather than IN (...): the hits are looked up by primary key instead of checking
#: every participant of the worker against them.
BY_WORDS = (
    select(Participant)
    .join(_HITS, _HITS.c.participant_id == Participant.id)
    .where(Participant.worker_id == _WORKER)
    .order_by(*LATEST_FIRST)
    .limit(50)
)
NAMES = (
    select(Participant.id, Participant.name_enc)
    .where(Participant.worker_id == _WORKER)
    .order_by(*LATEST_FIRST)
)


class ParticipantRepository(Repository):
    """A worker's participants. No method returns another worker's rows."""

    def record(self, row: Participant) -> ParticipantRecord:
        """Decrypt one row into a value."""
        owner = row.worker_id
        age = self.open_text(row.age_enc, T, "age_enc", row.id, owner=owner)
        return ParticipantRecord(
            id=row.id,
            worker_id=row.worker_id,
            name=self.open_text(row.name_enc, T, "name_enc", row.id, owner=owner) or "",
            age=int(age) if age and age.isdigit() else (age or None),
            pronouns=self.open_text(row.pronouns_enc, T, "pronouns_enc", row.id, owner=owner),
            last_session_at=row.last_session_at,
        )

    def build(self, worker_id: int, team: str | None, new: NewParticipant) -> Participant:
        """Make a sealed row for a new participant (add it, then ``word_rows`` for it)."""
        pid = new_id()
        name = " ".join(drop_invisible(new.name).split())
        return Participant(
            id=pid,
            worker_id=worker_id,
            team=team,
            name_enc=self.seal_text(name, T, "name_enc", pid, owner=worker_id),
            age_enc=self.seal_text(
                None if new.age is None else str(new.age), T, "age_enc", pid, owner=worker_id
            ),
            pronouns_enc=self.seal_text(new.pronouns, T, "pronouns_enc", pid, owner=worker_id),
            name_index=self.ring.blind_index(name, worker_id),
            created_at=utcnow(),
            words_indexed=True,
        )

    def word_rows(self, row: Participant, name: str) -> list[ParticipantWord]:
        """The blind-indexed words of a participant's name, to add with the participant."""
        return word_rows(self.ring, row.id, row.worker_id, name)

    async def add(
        self, worker_id: int, new: NewParticipant, team: str | None = None
    ) -> ParticipantRecord:
        """Store a participant on their own (notes usually add them in their transaction)."""
        row = self.build(worker_id, team, new)
        async with self.sessions.begin() as s:
            s.add(row)
            await s.flush()
            s.add_all(self.word_rows(row, new.name))
        return self.record(row)

    async def get(self, worker_id: int, participant_id: str) -> ParticipantRecord | None:
        """Return the worker's participant, or None if it is someone else's or unknown."""
        async with self.sessions() as s:
            row = await owned(s, worker_id, participant_id)
            return self.record(row) if row else None

    async def find_by_name(self, worker_id: int, name: str) -> list[ParticipantRecord]:
        """Look up by exact (normalised) name through the blind index, not by decrypting."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Participant)
                .where(
                    Participant.worker_id == worker_id,
                    Participant.name_index == self.ring.blind_index(name, worker_id),
                )
                .order_by(*LATEST_FIRST)
            )
            return [self.record(r) for r in rows]

    async def find_by_words(self, worker_id: int, text: str) -> list[ParticipantRecord]:
        """Everyone whose name has every word of ``text`` ('alex' finds 'Alex Smith'),
        case and accents folded, through the word index: nothing is decrypted to search."""
        wanted = sorted({self.ring.word_index(w, worker_id) for w in name_words(text)})
        if not wanted:
            return []
        async with self.sessions() as s:
            found = await s.scalars(
                BY_WORDS, {"worker_id": worker_id, "words": wanted, "count": len(wanted)}
            )
            return [self.record(r) for r in found]

    async def names(self, worker_id: int) -> list[tuple[str, str]]:
        """(id, name) of every participant of the worker, decrypted in memory for fuzzy
        matching: a worker has hundreds of participants, not millions."""
        async with self.sessions() as s:
            rows = await s.execute(NAMES, {"worker_id": worker_id})
            return [
                (pid, self.open_text(enc, T, "name_enc", pid, owner=worker_id) or "")
                for pid, enc in rows
            ]

    async def get_many(self, worker_id: int, ids: list[str]) -> list[ParticipantRecord]:
        """The worker's participants among ``ids``, in the order given."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Participant).where(
                    Participant.worker_id == worker_id, Participant.id.in_(ids)
                )
            )
            found = {r.id: self.record(r) for r in rows}
        return [found[i] for i in ids if i in found]

    async def recent(self, worker_id: int, limit: int = 6) -> list[ParticipantRecord]:
        """Return the worker's participants seen most recently first."""
        async with self.sessions() as s:
            rows = await s.scalars(
                select(Participant)
                .where(Participant.worker_id == worker_id)
                .order_by(*LATEST_FIRST)
                .limit(limit)
            )
            return [self.record(r) for r in rows]

    async def page(self, worker_id: int, page: int, size: int = 8) -> Page:
        """One page of everyone, most recently seen first (pages count from 0)."""
        async with self.sessions() as s:
            total = (
                await s.scalar(
                    select(func.count())
                    .select_from(Participant)
                    .where(Participant.worker_id == worker_id)
                )
                or 0
            )
            pages = max(1, -(-total // size))
            page = min(max(page, 0), pages - 1)
            rows = await s.scalars(
                select(Participant)
                .where(Participant.worker_id == worker_id)
                .order_by(*LATEST_FIRST)
                .offset(page * size)
                .limit(size)
            )
            return Page(tuple(self.record(r) for r in rows), page, pages, total)

    async def index_missing_words(self, batch: int = 200) -> int:
        """Index the name words of participants stored before the word index; resumable."""
        done = 0
        while True:
            async with self.sessions.begin() as s:
                rows = (
                    await s.scalars(
                        select(Participant)
                        .where(Participant.words_indexed.is_(False))
                        .limit(batch)
                    )
                ).all()
                for row in rows:
                    name = (
                        self.open_text(row.name_enc, T, "name_enc", row.id, owner=row.worker_id)
                        or ""
                    )
                    s.add_all(self.word_rows(row, name))
                    row.words_indexed = True
            done += len(rows)
            if len(rows) < batch:
                return done

    async def owner_of(self, participant_id: str) -> int | None:
        """The worker a participant belongs to (the access check decides what that means)."""
        async with self.sessions() as s:
            return await s.scalar(
                select(Participant.worker_id).where(Participant.id == participant_id)
            )


def word_rows(ring: KeyRing, pid: str, worker_id: int, name: str) -> list[ParticipantWord]:
    """The word index rows of one participant's name, per worker (see KeyRing.word_index)."""
    return [
        ParticipantWord(
            participant_id=pid, worker_id=worker_id, word_index=ring.word_index(w, worker_id)
        )
        for w in name_words(name)
    ]


async def owned(s: AsyncSession, worker_id: int, participant_id: str) -> Participant | None:
    """Fetch a participant row only if this worker owns it."""
    return await s.scalar(
        select(Participant).where(
            Participant.id == participant_id, Participant.worker_id == worker_id
        )
    )
