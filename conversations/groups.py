"""A list of items (agreed actions): add one, change or remove any, then Done.

Tokens: ``nav:add`` (or typing the first answer) adds one; ``item:edit:N`` walks item N's
questions again with its answers kept; ``item:remove:N`` asks first (the buffer holds
``remove``), then ``confirm`` removes it and Back leaves it. ``nav:undo`` (Remove last, on
keyboards from before) still removes the last item.
"""

from __future__ import annotations

from typing import Any

from conversations import items
from conversations.context import STALE, Ctx, PromptParts, StepResult
from conversations.fields import Invalid
from conversations.render import format_item
from conversations.template import Choice, Field, Template

ADD = Choice("nav:add", "Add one")
CONFIRM = Choice("confirm", "Yes, remove it")


def _number(token: str, prefix: str, count: int) -> int:
    """The 0-based index in 'item:edit:2' (1-based on screen); STALE if there is no such item."""
    raw = token.removeprefix(prefix)
    if not raw.isdigit() or not 1 <= int(raw) <= count:
        raise Invalid(STALE)
    return int(raw) - 1


def take(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    """Answer the list question: add, change, remove, or Done."""
    found = list(draft["answers"].get(f.key) or [])
    buffer = draft["buffer"]
    if "remove" in buffer:
        if token != CONFIRM.token:
            raise Invalid("Tap Yes, remove it, or Back to keep it.")
        index = int(buffer["remove"])
        gone = found.pop(index) if 0 <= index < len(found) else None
        draft["answers"][f.key] = found
        draft["buffer"] = {}
        what = f"Removed: {format_item(f, gone)}" if gone else None
        return StepResult(stay=True, remark=what)
    if token in ("nav:done", "nav:skip", "nav:keep", "nav:finish"):
        if f.required and not found:
            raise Invalid("Please add at least one item.")
        draft["answers"][f.key] = found
        return StepResult()
    if token == "nav:undo" and found:
        draft["answers"][f.key] = found[:-1]
        return StepResult(stay=True, remark="Removed the last one.")
    if token is not None and token.startswith("item:remove:"):
        draft["buffer"] = {"remove": _number(token, "item:remove:", len(found))}
        return StepResult(stay=True)
    if token is not None and token.startswith("item:edit:"):
        index = _number(token, "item:edit:", len(found))
        draft["buffer"] = {"item": dict(found[index]), "index": index}
        return StepResult(stay_sub=f.fields[0].key)
    if token == ADD.token or (token is None and text):
        if len(found) >= f.max_items:
            raise Invalid(f"That's the most this note can hold ({f.max_items}).")
        draft["buffer"] = {"item": {}}
        if token == ADD.token:
            return StepResult(stay_sub=f.fields[0].key)
        return items.take(template, draft, f, f.fields[0].key, text, None, ctx)
    raise Invalid(STALE)


def prompt(draft: dict[str, Any], f: Field) -> PromptParts:
    """The list so far, with Add one and a Change / Remove button per item."""
    found = draft["answers"].get(f.key) or []
    listed = "\n".join(f"{i}. {format_item(f, it)}" for i, it in enumerate(found, 1))
    if "remove" in draft["buffer"]:
        index = int(draft["buffer"]["remove"])
        gone = format_item(f, found[index]) if 0 <= index < len(found) else ""
        return PromptParts(
            f.key,
            f"Remove this one?\n{index + 1}. {gone}",
            "Back keeps it.",
            (CONFIRM,),
            field_type=f.type,
        )
    choices = [ADD]
    for i in range(1, len(found) + 1):
        choices.append(Choice(f"item:edit:{i}", f"Change {i}"))
        choices.append(Choice(f"item:remove:{i}", f"Remove {i}"))
    return PromptParts(
        f.key,
        f"{f.prompt}\n{listed}" if found else f"{f.prompt}\nNone yet.",
        f.help or "Tap Add one, or type it; Done when finished.",
        tuple(choices),
        allow_done=True,
        field_type=f.type,
    )
