"""The options offered for a question, as labels the worker sends back, and the reverse map.

A label is what the worker sees on a button and what arrives when they tap it, so labels on
one screen must be unique; navigation labels carry a symbol so typed answers rarely collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conversations.outcome import Prompt, ReviewView
from conversations.template import Choice

NAV_LABELS = {
    "nav:back": "◀ Back",
    "nav:skip": "⏭ Skip",
    "nav:done": "✅ Done",
    "nav:keep": "↩ Keep",
    "nav:cancel": "✖ Cancel",
    "nav:save": "💾 Save note",
    "nav:add": "➕ Add one",
    "nav:undo": "➖ Remove last",
    "nav:finish": "💾 Finish",
}
#: Navigation sits in two rows in this order, whatever is missing, so a thumb learns where
#: Back, Skip and Done are; Finish and Cancel go below.
NAV_ROWS = (
    ("nav:save", "nav:back", "nav:skip", "nav:keep", "nav:done"),
    ("nav:finish", "nav:cancel"),
)
TICK = "✓ "
EDIT = "✏ "


@dataclass(frozen=True)
class Offer:
    """The option rows of one screen and the token behind every label."""

    rows: tuple[tuple[str, ...], ...]
    tokens: dict[str, str]

    def token_for(self, text: str) -> str | None:
        """The token a sent label stands for, or None for free text."""
        return resolve(self.tokens, text)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for row in self.rows for label in row)


#: Words a worker types for an offered navigation option ("skip" for "⏭ Skip"); matched in
#: lower case and only when that option is on screen. "no" and "none" finish a list.
WORDS = {
    "back": "nav:back",
    "skip": "nav:skip",
    "done": "nav:done",
    "keep": "nav:keep",
    "cancel": "nav:cancel",
    "save": "nav:save",
    "finish": "nav:finish",
}
LIST_DONE = ("no", "none", "nothing", "no more", "that's all", "thats all")


def resolve(tokens: dict[str, str], text: str) -> str | None:
    """The token behind a sent label or navigation word, or None for free text.

    A navigation word always means navigation, offered or not: "save" typed where Save isn't
    possible gets a clear refusal instead of being stored as the answer."""
    raw = text.strip()
    return tokens.get(raw) or tokens.get(raw.casefold()) or WORDS.get(raw.casefold())


def is_word(label: str) -> bool:
    """Whether a key of an offer's tokens is a typed word rather than a label on screen."""
    return label in WORDS or label in LIST_DONE


def _words(tokens: dict[str, str], list_prompt: bool) -> None:
    offered = set(tokens.values())
    if list_prompt and "nav:done" in offered:
        for word in LIST_DONE:
            tokens.setdefault(word, "nav:done")


def _width(labels: Sequence[str]) -> int:
    longest = max((len(label) for label in labels), default=0)
    return 5 if longest <= 2 else 3 if longest <= 9 else 2 if longest <= 18 else 1


def _rows(labels: Sequence[str], width: int) -> list[tuple[str, ...]]:
    return [tuple(labels[i : i + width]) for i in range(0, len(labels), width)]


def _unique(label: str, taken: dict[str, str]) -> str:
    out, n = label, 2
    while out in taken:
        out, n = f"{label} ({n})", n + 1
    return out


def _offer(choices: Sequence[Choice], nav: Sequence[Choice], selected: Sequence[str]) -> Offer:
    tokens: dict[str, str] = {}
    answer_labels: list[str] = []
    for c in choices:
        shown = NAV_LABELS.get(c.token, c.label)
        if c.token.removeprefix("c:") in selected:
            tokens[_unique(shown, tokens)] = c.token  # typed without the tick still works
            shown = TICK + shown
        label = _unique(shown, tokens)
        tokens[label] = c.token
        answer_labels.append(label)
    nav_rows: list[tuple[str, ...]] = []
    offered = {c.token: c for c in nav}
    placed = {t for row in NAV_ROWS for t in row}
    for order in (*NAV_ROWS, tuple(t for t in offered if t not in placed)):
        row = []
        for token in order:
            if token in offered:
                label = _unique(NAV_LABELS.get(token, offered[token].label), tokens)
                tokens[label] = token
                row.append(label)
        if row:
            nav_rows.append(tuple(row))
    rows = [*_rows(answer_labels, _width(answer_labels)), *nav_rows]
    return Offer(tuple(rows), tokens)


def _with_words(offer: Offer, list_prompt: bool = False) -> Offer:
    tokens = dict(offer.tokens)
    _words(tokens, list_prompt)
    return Offer(offer.rows, tokens)


def for_prompt(prompt: Prompt) -> Offer:
    """Choices (ticked when selected) in rows, then the navigation row."""
    offer = _offer(prompt.choices, prompt.nav, prompt.selected)
    return _with_words(offer, list_prompt=prompt.field_type == "group")


def for_review(review: ReviewView) -> Offer:
    """One option per section to edit, then Save, Back and Cancel."""
    edits = [
        Choice(c.token, EDIT + c.label.removeprefix("Edit "))
        for c in review.actions
        if c.token.startswith("edit:")
    ]
    nav = [Choice("nav:save", ""), Choice("nav:back", ""), Choice("nav:cancel", "")]
    return _with_words(_offer(edits, nav, ()))
