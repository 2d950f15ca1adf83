"""Inline keyboards and callback-data encoding; every callback_data fits Telegram's 64 bytes.

Note buttons carry ``n|<draft tag>|<seq>|<token>``: a press whose draft or step no longer
matches is stale and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.engine import Prompt, ReviewView
from conversations.template import Choice

MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class NoteButton:
    draft_tag: str
    seq: int
    token: str


def encode(*parts: str | int) -> str:
    """Join parts with '|' and refuse anything over Telegram's limit."""
    data = "|".join(str(p) for p in parts)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def note_data(draft_id: str, seq: int, token: str) -> str:
    """Callback data for a button that answers the current note question."""
    return encode("n", draft_id[:8], seq, token)


def parse_note_data(data: str) -> NoteButton | None:
    """Read note button data; None if it is not well formed (forged or from an old version)."""
    parts = data.split("|", 3)
    if len(parts) != 4 or parts[0] != "n" or not parts[2].isdigit():
        return None
    return NoteButton(parts[1], int(parts[2]), parts[3])


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out ``width`` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _width(choices: Sequence[Choice]) -> int:
    longest = max((len(c.label) for c in choices), default=0)
    return 5 if longest <= 2 else 3 if longest <= 9 else 2 if longest <= 16 else 1


def prompt_keyboard(prompt: Prompt, draft_id: str, seq: int) -> InlineKeyboardMarkup:
    """Choices (ticked when selected), then the navigation row."""

    def label(c: Choice) -> str:
        return f"✓ {c.label}" if c.token.removeprefix("c:") in prompt.selected else c.label

    answers = [
        InlineKeyboardButton(label(c), callback_data=note_data(draft_id, seq, c.token))
        for c in prompt.choices
    ]
    nav = [
        InlineKeyboardButton(c.label, callback_data=note_data(draft_id, seq, c.token))
        for c in prompt.nav
    ]
    return InlineKeyboardMarkup([*rows(answers, _width(prompt.choices)), *rows(nav, 3)])


def review_keyboard(review: ReviewView, draft_id: str, seq: int) -> InlineKeyboardMarkup:
    """One button per section to edit, then Save and Cancel."""
    edits = [
        InlineKeyboardButton(
            c.label.removeprefix("Edit "), callback_data=note_data(draft_id, seq, c.token)
        )
        for c in review.actions
        if c.token.startswith("edit:")
    ]
    final = [
        InlineKeyboardButton("💾 Save note", callback_data=note_data(draft_id, seq, "nav:save")),
        InlineKeyboardButton("Back", callback_data=note_data(draft_id, seq, "nav:back")),
        InlineKeyboardButton("Cancel", callback_data=note_data(draft_id, seq, "nav:cancel")),
    ]
    return InlineKeyboardMarkup([*rows(edits, 3), final])


def simple_keyboard(buttons: Iterable[tuple[str, str]], width: int = 2) -> InlineKeyboardMarkup:
    """A keyboard from (label, callback_data) pairs."""
    made = [InlineKeyboardButton(label, callback_data=encode(data)) for label, data in buttons]
    return InlineKeyboardMarkup(rows(made, width))
