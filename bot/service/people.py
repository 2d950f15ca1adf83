"""Finding a participant by any word of their name, or by a near miss ('Alx' -> 'Alex')."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

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
    """Everyone whose name has every typed word; if nobody, the closest names."""
    typed = clean(typed)
    query = name_words(typed)
    matches = await turn.storage.participants.find_by_words(turn.worker.id, typed)
    exact = [m for m in matches if name_words(m.name) == query]
    if len(exact) == 1:  # 'Alex Smith' typed in full is not 'Alex Smith-Jones' too
        return Found(typed, (exact[0],))
    if matches:
        return Found(typed, tuple(matches))
    scored = [
        (score, pid)
        for pid, name in await turn.storage.participants.names(turn.worker.id)
        if (score := closeness(query, name)) >= CUTOFF
    ]
    scored.sort(key=lambda pair: -pair[0])  # stable: equal scores keep most recent first
    ids = [pid for _, pid in scored[:SUGGEST]]
    close = await turn.storage.participants.get_many(turn.worker.id, ids)
    return Found(typed, suggestions=tuple(close))
