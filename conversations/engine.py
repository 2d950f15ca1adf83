"""The step engine: pure functions from (draft, input) to the next outcome. No transport here.

A draft is a plain JSON-serialisable dict, so it can be encrypted, stored and resumed anywhere.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from conversations.fields import Clock, Invalid
from conversations.outcome import CompletedNote, complete
from conversations.render import RenderedSection, format_value, render_sections
from conversations.steps import Ctx, apply_input, build_prompt
from conversations.template import Choice, Field, Template

Kind = Literal["prompt", "invalid", "review", "completed", "cancelled"]
MAX_HISTORY = 80
Context = Ctx


@dataclass(frozen=True)
class Input:
    """What the worker sent: free text, or a token from a button (or a typed /command)."""

    text: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str
    help: str
    step: str
    choices: tuple[Choice, ...]
    nav: tuple[Choice, ...]
    selected: tuple[str, ...] = ()
    current: str | None = None
    note: str | None = None
    multi: bool = False


@dataclass(frozen=True)
class ReviewView:
    step: str
    sections: tuple[RenderedSection, ...]
    actions: tuple[Choice, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    draft: dict[str, Any]
    prompt: Prompt | None = None
    review: ReviewView | None = None
    reason: str | None = None
    note: CompletedNote | None = None


TEXT_COMMANDS = {"/back": "nav:back", "/skip": "nav:skip", "/done": "nav:done"}


def new_draft(template: Template) -> dict[str, Any]:
    """An empty draft for ``template``, remembering its id and version."""
    return {
        "template": template.id,
        "version": template.version,
        "answers": {},
        "cursor": None,
        "history": [],
        "editing": None,
        "gaps": False,
        "buffer": {},
    }


def applies(template: Template, f: Field, answers: dict[str, Any]) -> bool:
    """Whether a top-level field is asked and kept, given the answers so far."""
    rule = template.consent
    if rule and answers.get(rule.field) == rule.declined and f.key not in rule.keep:
        return False
    return f.when.holds(answers) if f.when else True


def _next_cursor(template: Template, draft: dict[str, Any], after: str | None) -> dict[str, Any]:
    answers = draft["answers"]
    keys = [f.key for f in template.fields]
    start = keys.index(after) + 1 if after in keys else 0
    for f in template.fields[start:]:
        if not applies(template, f, answers):
            continue
        if draft.get("gaps") and f.key in answers:
            continue
        editing = draft.get("editing")
        if editing and f.section != editing:
            break
        return {"field": f.key, "sub": None}
    draft["editing"] = None
    draft["gaps"] = False
    return {"review": True}


def missing_fields(template: Template, answers: dict[str, Any]) -> list[Field]:
    """Required fields that apply but have no answer yet (e.g. after consent changed)."""
    return [
        f
        for f in template.fields
        if applies(template, f, answers) and f.required and answers.get(f.key) in (None, "", [])
    ]


def _step(template: Template, section_index: int | None) -> str:
    total = len(template.sections) + 1
    if section_index is None:
        return f"Step {total} of {total} · Review"
    title = template.sections[section_index].title
    return f"Step {section_index + 1} of {total} · {title}"


def _review(template: Template, draft: dict[str, Any]) -> ReviewView:
    answers = draft["answers"]
    sections = render_sections(template, answers, lambda f: applies(template, f, answers))
    actions = tuple(Choice(f"edit:{s.key}", f"Edit {s.title}") for s in template.sections)
    missing = tuple(f.label for f in missing_fields(template, answers))
    return ReviewView(
        _step(template, None), sections, (*actions, Choice("nav:save", "Save note")), missing
    )


def show(
    template: Template,
    draft: dict[str, Any],
    ctx: Ctx,
    kind: Kind = "prompt",
    reason: str | None = None,
    note: str | None = None,
) -> Outcome:
    """Present wherever the draft's cursor is (a prompt or the review)."""
    cursor = draft["cursor"] or {"review": True}
    if cursor.get("review"):
        return Outcome(
            "review" if kind == "prompt" else kind,
            draft,
            review=_review(template, draft),
            reason=reason,
        )
    f = template.field(cursor["field"])
    p = build_prompt(template, draft, f, cursor.get("sub"), ctx)
    prompt = Prompt(
        key=p.key,
        text=p.text,
        help=p.help,
        step=_step(template, template.section_of(f.key)),
        choices=p.choices,
        nav=_nav(draft, p),
        selected=p.selected,
        current=p.current,
        note=note or p.note,
        multi=p.multi,
    )
    return Outcome(kind, draft, prompt=prompt, reason=reason)


def _nav(draft: dict[str, Any], p: Any) -> tuple[Choice, ...]:
    out = []
    if p.allow_done:
        out.append(Choice("nav:done", "Done"))
    if p.allow_keep:
        out.append(Choice("nav:keep", "Keep"))
    if p.allow_skip:
        out.append(Choice("nav:skip", "Skip"))
    if draft["history"]:
        out.append(Choice("nav:back", "Back"))
    out.append(Choice("nav:cancel", "Cancel"))
    return tuple(out)


def start(template: Template, ctx: Ctx) -> Outcome:
    """Begin a new note at its first question."""
    draft = new_draft(template)
    draft["cursor"] = _next_cursor(template, draft, None)
    return show(template, draft, ctx)


def resume(template: Template, draft: dict[str, Any], ctx: Ctx) -> Outcome:
    """Show the current question again (after a restart or a 'resume')."""
    draft = copy.deepcopy(draft)
    cursor = draft.get("cursor") or {}
    if not cursor.get("review") and cursor.get("field") not in {f.key for f in template.fields}:
        draft["cursor"] = _next_cursor(template, draft, None)
    return show(template, draft, ctx)


def _go_back(template: Template, draft: dict[str, Any], ctx: Ctx) -> Outcome:
    if not draft["history"]:
        return show(
            template,
            draft,
            ctx,
            "invalid",
            "This is the first question; there is nothing to go back to.",
        )
    target = draft["history"].pop()
    if target.get("sub") and "item" not in draft["buffer"]:
        # The item that sub-question belonged to is already filed; return to its list.
        target = {"field": target["field"], "sub": None}
    if not target.get("sub"):
        draft["buffer"] = {}
    editing = draft.get("editing")
    if editing and (target.get("review") or template.field(target["field"]).section != editing):
        draft["editing"], target = None, {"review": True}
    draft["cursor"] = target
    return show(template, draft, ctx)


def _advance_to(draft: dict[str, Any], cursor: dict[str, Any]) -> None:
    draft["history"].append(draft["cursor"])
    del draft["history"][:-MAX_HISTORY]
    draft["cursor"] = cursor


def _at_review(template: Template, draft: dict[str, Any], token: str | None, ctx: Ctx) -> Outcome:
    if token == "nav:save":
        gaps = missing_fields(template, draft["answers"])
        if gaps:
            # Walk through every question not yet asked (e.g. after consent changed to yes).
            draft["gaps"], draft["editing"] = True, None
            first = _next_cursor(template, draft, None)
            _advance_to(draft, first)
            labels = ", ".join(f.label for f in gaps)
            return show(template, draft, ctx, note=f"Still needed: {labels}.")
        return Outcome("completed", draft, note=complete(template, draft["answers"], ctx.clock))
    if token and token.startswith("edit:"):
        key = token.removeprefix("edit:")
        section = next((s for s in template.sections if s.key == key), None)
        if section is None:
            return show(template, draft, ctx, "invalid", "That button has expired.")
        target = next((f for f in section.fields if applies(template, f, draft["answers"])), None)
        if target is None:
            return show(template, draft, ctx, "invalid", "That section has nothing to edit.")
        draft["editing"] = key
        _advance_to(draft, {"field": target.key, "sub": None})
        return show(template, draft, ctx)
    return show(template, draft, ctx, "invalid", "Tap a section to change it, or Save note.")


def answer(template: Template, draft: dict[str, Any], inp: Input, ctx: Ctx) -> Outcome:
    """Apply one input and return what to show next. Invalid input leaves the draft unchanged."""
    original = draft
    draft = copy.deepcopy(draft)
    token = inp.token
    if token is None and inp.text is not None and inp.text.strip().lower() in TEXT_COMMANDS:
        token = TEXT_COMMANDS[inp.text.strip().lower()]
    if token == "nav:cancel" or (inp.text or "").strip().lower() == "/cancel":
        return Outcome("cancelled", draft)
    if token == "nav:back":
        return _go_back(template, draft, ctx)
    cursor = draft.get("cursor") or {"review": True}
    if cursor.get("review"):
        out = _at_review(template, draft, token, ctx)
        return out if out.kind != "invalid" else _unchanged(out, original)
    f = template.field(cursor["field"])
    try:
        result = apply_input(template, draft, f, cursor.get("sub"), inp.text, token, ctx)
    except Invalid as exc:
        return show(template, copy.deepcopy(original), ctx, "invalid", str(exc))
    if result.stay_sub is not None or result.stay:
        if result.stay_sub is not None:
            _advance_to(draft, {"field": f.key, "sub": result.stay_sub or None})
        return show(template, draft, ctx, note=result.note)
    _advance_to(draft, _next_cursor(template, draft, f.key))
    return show(template, draft, ctx, note=result.note)


def _unchanged(out: Outcome, original: dict[str, Any]) -> Outcome:
    return Outcome(out.kind, copy.deepcopy(original), out.prompt, out.review, out.reason, out.note)


__all__ = [
    "Choice",
    "Clock",
    "CompletedNote",
    "Context",
    "Ctx",
    "Input",
    "Outcome",
    "Prompt",
    "ReviewView",
    "answer",
    "applies",
    "format_value",
    "missing_fields",
    "new_draft",
    "resume",
    "show",
    "start",
]
