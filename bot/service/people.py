"""Finding a participant by any word of their name, or by a near miss ('Alx' -> 'Alex')."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.service import access
from bot.service.deps import Turn
from conversations.fields import strip_invisible
from storage.crypto import name_words
from storage.records import ParticipantRecord

#: How close a typo must be to suggest a name (rapidfuzz's 0..100 ratio).
CUTOFF = 70.0
SUGGEST = 5
#: A typed name is echoed back at most this long: a pasted page is not repeated in full.
ECHO = 40


@dataclass(frozen=True)
class Found:
    """What a typed name found: exact word matches, else close suggestions."""

    typed: str
    matches: tuple[ParticipantRecord, ...] = ()
    suggestions: tuple[ParticipantRecord, ...] = ()


def clean(typed: str) -> str:
    """The name as typed, without invisible characters or extra spaces."""
    return " ".join(strip_invisible(typed).split())


def shorten(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis if longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shown(typed: str) -> str:
    """The typed name as echoed back, shortened if long."""
    return shorten(typed, ECHO)


def closeness(query: list[str], name: str) -> float:
    """How well typed words match a name: each typed word against its best-matching word of
    the name, averaged; the whole name is compared too, for 'alexsmith'."""
    words = name_words(name)
    if not query or not words:
        return 0.0
    per_word = sum(max(fuzz.ratio(q, w) for w in words) for q in query) / len(query)
    return max(per_word, fuzz.ratio("".join(query), "".join(words)))


async def find(turn: Turn, typed: str) -> Found:
    """Everyone whose name has every typed word; if nobody, the closest names. A supervisor
    searches their team's caseloads too, one worker at a time (names are indexed per worker).

    When it shows a list of names, each one listed is written to the audit trail (never what
    was typed): a list is a disclosure too. A single match opens straight into a record,
    whose own view is audited."""
    found = await _find(turn, typed)
    shown = [p.id for p in (found.matches or found.suggestions)]
    if len(found.matches) != 1:
        await turn.storage.audit.record_many("participant.listed", turn.worker.id, shown)
    return found


async def _find(turn: Turn, typed: str) -> Found:
    typed = clean(typed)
    query = name_words(typed)
    loads = [w.id for w in await access.caseloads(turn)]
    participants = turn.storage.participants
    matches = [m for w in loads for m in await participants.find_by_words(w, typed)]
    exact = [m for m in matches if name_words(m.name) == query]
    if len(exact) == 1:  # 'Alex Smith' typed in full is not 'Alex Smith-Jones' too
        return Found(typed, (exact[0],))
    if matches:
        return Found(typed, tuple(matches))
    scored = [
        (score, w, pid)
        for w in loads
        for pid, name in await participants.names(w)
        if (score := closeness(query, name)) >= CUTOFF
    ]
    scored.sort(key=lambda t: -t[0])  # stable: equal scores keep most recent first
    best = scored[:SUGGEST]
    close = {
        p.id: p
        for w in {w for _, w, _ in best}
        for p in await participants.get_many(w, [pid for _, o, pid in best if o == w])
    }
    return Found(typed, suggestions=tuple(close[pid] for _, _, pid in best if pid in close))


async def owners(turn: Turn, worker_ids: Iterable[int]) -> dict[int, str]:
    """Whose caseload each record comes from, by display name, for those not the reader's
    own (a supervisor must see whose participant they are looking at)."""
    others = {w for w in worker_ids if w != turn.worker.id}
    found = await turn.storage.workers.get_many(others)
    return {w: (found[w].display_name if w in found else None) or f"worker {w}" for w in others}


def titled(name: str, owner: str | None) -> str:
    """A participant's name as headed on a card: with whose caseload, if not the reader's."""
    return name if owner is None else f"{name} ({owner}'s participant)"


async def heading(turn: Turn, person: ParticipantRecord) -> str:
    """The participant's name for a card's heading (see ``titled``)."""
    return titled(person.name, (await owners(turn, [person.worker_id])).get(person.worker_id))
