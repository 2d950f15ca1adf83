"""Where in the note a question is: 'Question 3 of 14 · Session details'.

Every question that applies, given the answers so far, counts once: a new participant's
details count as one more; a follow-up (their name after "Someone new", pronouns after an
age typed alone) shares the number of the question it follows; an item's questions in a
list (an agreed action) share the list's number and say which part they are.
"""

from __future__ import annotations

from typing import Any

from conversations.draft import Cursor
from conversations.rules import applies
from conversations.template import Field, Template


def _new_person(work: dict[str, Any], f: Field) -> bool:
    value = work["answers"].get(f.key)
    if isinstance(value, dict) and value.get("id") is None:
        return True
    cursor = work["cursor"]
    return cursor.field == f.key and "item" in work["buffer"]


def questions(template: Template, work: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The questions this note asks, in order, as (field, sub-field) pairs."""
    out: list[tuple[str, str | None]] = []
    for f in template.fields:
        if not applies(template, f, work["answers"]):
            continue
        out.append((f.key, None))
        if f.type == "participant" and _new_person(work, f):
            out += [(f.key, s.key) for s in f.fields[1:] if not s.asked_with]
    return out


def position(template: Template, work: dict[str, Any], cursor: Cursor) -> tuple[int, int]:
    """The question's number and how many questions the note has now."""
    counted = questions(template, work)
    field = template.field(cursor.field or "")
    here: tuple[str, str | None] = (field.key, cursor.sub)
    if field.type == "participant" and cursor.sub is not None and here not in counted:
        keys = [s.key for s in field.fields]
        # A follow-up: number it as the question it follows.
        earlier = [(field.key, k) for k in keys[: keys.index(cursor.sub)]]
        here = next((q for q in reversed(earlier) if q in counted), (field.key, None))
    elif field.type == "group":
        here = (field.key, None)
    if here in counted:
        return counted.index(here) + 1, len(counted)
    keys = [f.key for f in template.fields]
    before = sum(1 for k, _ in counted if keys.index(k) < keys.index(field.key))
    return before + 1, max(len(counted), before + 1)


def step_label(template: Template, work: dict[str, Any], cursor: Cursor) -> tuple[str, int, int]:
    """'Question 3 of 14 · Session details', with the number and the total."""
    n, total = position(template, work, cursor)
    field = template.field(cursor.field or "")
    title = template.sections[template.section_of(field.key)].title
    label = f"Question {n} of {total} · {title}"
    if field.type == "group" and cursor.sub:
        keys = [s.key for s in field.fields]
        label += f", part {keys.index(cursor.sub) + 1} of {len(keys)}"
    return label, n, total
