"""Where the cursor goes: the next question, the screen Back returns to, and a cursor
re-seated when a draft's form has changed. Works on the engine's working copy (engine.py).
"""

from __future__ import annotations

from typing import Any

from conversations.draft import Cursor
from conversations.rules import applies, incomplete
from conversations.template import Field, Template

MAX_HISTORY = 80
FIELD_EDIT = "field:"


def valid(template: Template, cursor: Cursor) -> bool:
    """Whether this template has the question a (stored) cursor points at."""
    if cursor.review:
        return True
    f = next((f for f in template.fields if f.key == cursor.field), None)
    return f is not None and (cursor.sub is None or cursor.sub in {s.key for s in f.fields})


def seat(template: Template, work: dict[str, Any]) -> bool:
    """Move a cursor whose question this template lacks; say whether it moved."""
    cursor = work["cursor"]
    if valid(template, cursor):
        return False
    work["buffer"] = {}
    if cursor.field in {f.key for f in template.fields}:
        work["cursor"] = Cursor(cursor.field)
        return True
    # Carry on at the first question this version asks that has no answer yet.
    work["editing"], work["gaps"] = None, True
    work["cursor"] = next_cursor(template, work, None)
    return True


def covers(editing: str, f: Field) -> bool:
    """Whether an edit begun from the review (one field, or a whole section) includes ``f``."""
    if editing.startswith(FIELD_EDIT):
        return f.key == editing.removeprefix(FIELD_EDIT)
    return f.section == editing


def next_cursor(
    template: Template, work: dict[str, Any], after: str | None, filled: tuple[str, ...] = ()
) -> Cursor:
    """The next question to ask after ``after``, passing over those ``filled`` with it."""
    answers = work["answers"]
    keys = [f.key for f in template.fields]
    start = keys.index(after) + 1 if after in keys else 0
    for f in template.fields[start:]:
        if not applies(template, f, answers) or f.key in filled:
            continue
        if work["gaps"] and f.key in answers and not incomplete(f, answers[f.key]):
            continue
        editing = work["editing"]
        if editing and not covers(editing, f):
            break
        return Cursor(f.key)
    work["editing"] = None
    work["gaps"] = False
    return Cursor(review=True)


def advance_to(work: dict[str, Any], cursor: Cursor) -> None:
    """Move to ``cursor``, remembering where we were for Back."""
    work["history"].append(work["cursor"])
    del work["history"][:-MAX_HISTORY]
    work["cursor"] = cursor


def screen_of(here: Cursor, cursor: Cursor, in_item: bool) -> Cursor:
    """The screen a past cursor stands for now: a question inside a participant or a list
    item is its own screen only while that item is still being made."""
    if cursor.sub is None or (in_item and here.sub is not None and cursor.field == here.field):
        return cursor
    return Cursor(cursor.field)
