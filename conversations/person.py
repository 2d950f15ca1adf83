"""Who the session was with: someone recent, someone new, or 'is this the same Sam?'.

The buffer holds ``typed`` and ``same`` ([token, label] pairs) while asking whether a typed
name is someone already known.
"""

from __future__ import annotations

from typing import Any

from conversations import items
from conversations.context import STALE, Ctx, PromptParts, StepResult
from conversations.fields import Invalid, strip_invisible
from conversations.render import format_value
from conversations.template import Choice, Field, Template

NEW_PERSON = Choice("p:new", "Someone new")
NOT_THEM = Choice("p:new", "No, someone new")


def _name_of(label: str) -> str:
    """The name in a participant button's label ('Alex · last seen Sun 22 Nov' -> 'Alex')."""
    return label.split(" · ")[0].strip()


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _new(template: Template, draft: dict[str, Any], f: Field, typed: str, ctx: Ctx) -> StepResult:
    """Start a new participant: ask their name, or take the one typed and ask the rest."""
    draft["buffer"] = {"item": {}}
    if not typed:
        return StepResult(stay_sub=f.fields[0].key)
    return items.take(template, draft, f, f.fields[0].key, typed, None, ctx)


def take(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    """Answer 'Who was the session with?' (or 'Is this the same Sam?')."""
    answers, buffer = draft["answers"], draft["buffer"]
    if token == "nav:keep" and answers.get(f.key):
        draft["buffer"] = {}
        return StepResult()
    if "same" in buffer and token is not None:
        return _same_person(template, draft, f, token, ctx)
    if token == NEW_PERSON.token:
        return _new(template, draft, f, "", ctx)
    if token is not None:
        known = next((c for c in ctx.participants if c.token == token), None)
        if known is None:
            raise Invalid(STALE)
        answers[f.key] = {"id": token.removeprefix("p:"), "name": known.label}
        return StepResult()
    name = strip_invisible(text or "").strip()
    if not name:
        raise Invalid("Please tap a name, or type a name or code.")
    recent = [c for c in ctx.participants if _same(c.label, name)]
    others = [c for c in ctx.same_name if c.token not in {r.token for r in recent}]
    if len(recent) == 1 and not others:
        answers[f.key] = {"id": recent[0].token.removeprefix("p:"), "name": recent[0].label}
        return StepResult()
    if recent or others:
        # Someone by that name exists already: ask rather than start a second record.
        same = [[c.token, c.label] for c in (*others, *recent)]
        draft["buffer"] = {"typed": name, "same": same}
        return StepResult(stay_sub="")
    return _new(template, draft, f, name, ctx)


def _same_person(
    template: Template, draft: dict[str, Any], f: Field, token: str, ctx: Ctx
) -> StepResult:
    """Take the answer to 'Is this the same <name> as before?'."""
    typed = str(draft["buffer"].get("typed") or "")
    if token == NOT_THEM.token:
        return _new(template, draft, f, typed, ctx)
    label = next((lb for tk, lb in draft["buffer"]["same"] if tk == token), None)
    if label is None or not token.startswith("p:"):
        raise Invalid(STALE)
    draft["answers"][f.key] = {"id": token.removeprefix("p:"), "name": _name_of(label) or typed}
    draft["buffer"] = {}
    return StepResult()


def prompt(draft: dict[str, Any], f: Field, ctx: Ctx) -> PromptParts:
    """'Who was the session with?' with recent people, or the same-name question."""
    answers, buffer = draft["answers"], draft["buffer"]
    current = format_value(f, answers[f.key]) if answers.get(f.key) else None
    if "same" in buffer:
        same = tuple(Choice(token, label) for token, label in buffer["same"])
        return PromptParts(
            f.key,
            f"Is this the same {buffer.get('typed', '')} as before?",
            "Tap the person you mean, or No if this is someone new.",
            (*same, NOT_THEM),
            current=current,
            field_type=f.type,
        )
    return PromptParts(
        f.key,
        f.prompt,
        f.help,
        (*ctx.participants, NEW_PERSON),
        current=current,
        allow_keep=current is not None,
        field_type=f.type,
    )
