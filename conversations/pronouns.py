"""Pronouns as the participant gives them, and an age with pronouns typed as one answer.

Pronouns are kept as typed ('she/they', 'xe/xem'); a tapped suggestion keeps its words
('they/them'). 'Other' asks what to use. On an age question that also asks pronouns
(``asked_with``), '29, they/them', 'they/them 29' or either one alone are all answers.
"""

from __future__ import annotations

import re

from conversations.context import STALE
from conversations.fields import Invalid, parse_text
from conversations.template import Choice, Field

OTHER = "other"
WORDS = {"she", "he", "they", "xe", "ze", "zie", "ey", "fae", "ve", "per", "it", "any"}
SLASHED = re.compile(r"[^\W\d_]+(?:/[^\W\d_]+)+")
BOTH = "Please send their age, their pronouns, or both, like '29, they/them' (or tap Skip)."
ASK_OTHER = "What pronouns should I use for them?"
OTHER_HELP = "Type them as they say them, e.g. xe/xem."


def choices(f: Field) -> tuple[Choice, ...]:
    """The suggestions offered as buttons."""
    return tuple(Choice(f"c:{c.token}", c.label) for c in f.choices)


def value(f: Field, text: str | None, token: str | None) -> str:
    """The pronouns to keep, or OTHER when the worker still has to say which."""
    if token is not None:
        picked = next((c for c in f.choices if f"c:{c.token}" == token), None)
        if picked is None:
            raise Invalid(STALE)
        return OTHER if picked.token == OTHER else picked.label
    typed = " ".join(parse_text(text or "", f.max_length).split())
    if typed.casefold() == OTHER:
        return OTHER
    same = next((c.label for c in f.choices if c.label.casefold() == typed.casefold()), None)
    return same or typed


def _looks_like(part: str) -> bool:
    words = part.casefold().split()
    return bool(SLASHED.search(part)) or bool(words and words[0] in WORDS | {OTHER})


def split(text: str) -> tuple[str | None, str | None]:
    """Split '29, they/them' into ('29', 'they/them'); either may be None."""
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if len(parts) > 2:
        raise Invalid(BOTH)
    if len(parts) == 2:
        first, second = parts
        if _looks_like(first) and not _looks_like(second):
            return second, first
        return first, second
    if not parts:
        raise Invalid(BOTH)
    only = parts[0]
    m = SLASHED.search(only)
    if m:
        rest = f"{only[: m.start()]} {only[m.end() :]}".strip()
        return rest or None, m.group(0)
    if _looks_like(only) and not re.search(r"\d", only):
        return None, only
    return only, None
