"""The step engine: pure functions from (draft, input) to the next outcome. No transport here.

Drafts come in and go out as frozen NoteDrafts. Inside one call the engine works on a deep
copy held in a plain dict (answers, buffer, cursor, history, editing, gaps), which the step
handlers in steps.py change in place; moves.py says where the cursor goes next, screens.py
what is shown there.

Tokens besides a question's own choices: nav:back, nav:skip, nav:keep, nav:done,
nav:finish (to the review once nothing required is left), nav:cancel; at the review
nav:save and edit:<field> (edit:<section> from older reviews still works).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from conversations.completion import complete
from conversations.context import STALE, Ctx
from conversations.draft import Cursor, NoteDraft
from conversations.fields import Clock, Invalid
from conversations.moves import (
    FIELD_EDIT,
    MAX_HISTORY,
    advance_to,
    covers,
    next_cursor,
    screen_of,
    seat,
    valid,
)
from conversations.outcome import (
    Asked,
    CancelAsked,
    Finished,
    Outcome,
    Prompt,
    Refused,
    Reviewing,
    ReviewView,
)
from conversations.rules import applies, missing_fields
from conversations.screens import ASIDES, can_finish, present
from conversations.steps import apply_input, keep_unfinished
from conversations.template import Field, Template

TEXT_COMMANDS = {
    "/back": "nav:back",
    "/skip": "nav:skip",
    "/done": "nav:done",
    "/finish": "nav:finish",
}
FIRST = "This is the first question; there is nothing to go back to."
MOVED = "This note's form has changed since it was started, so that wasn't used. Carry on here."


@dataclass(frozen=True)
class Input:
    """What the worker sent: free text, or a token from a button (or a typed /command)."""

    text: str | None = None
    token: str | None = None


def _open(draft: NoteDraft) -> dict[str, Any]:
    return {
        "answers": copy.deepcopy(dict(draft.answers)),
        "buffer": copy.deepcopy(dict(draft.buffer)),
        "cursor": draft.cursor,
        "history": list(draft.history),
        "editing": draft.editing,
        "gaps": draft.gaps,
    }


def _close(template: Template, work: dict[str, Any]) -> NoteDraft:
    """Freeze the working copy, stamped with the template it now follows."""
    return NoteDraft(
        template_id=template.id,
        template_version=template.version,
        answers=copy.deepcopy(work["answers"]),
        cursor=work["cursor"],
        history=tuple(work["history"][-MAX_HISTORY:]),
        editing=work["editing"],
        gaps=work["gaps"],
        buffer=copy.deepcopy(work["buffer"]),
    )


def _shown(
    template: Template, work: dict[str, Any], ctx: Ctx, remark: str | None = None
) -> Asked | Reviewing:
    screen = present(template, work, ctx, remark)
    draft = _close(template, work)
    return Asked(draft, screen) if isinstance(screen, Prompt) else Reviewing(draft, screen)


def _refused(template: Template, draft: NoteDraft, ctx: Ctx, reason: str) -> Refused:
    return Refused(draft, reason, present(template, _open(draft), ctx))


def start(template: Template, ctx: Ctx) -> Outcome:
    """Begin a new note at its first question."""
    work = _open(NoteDraft(template.id, template.version, {}, Cursor(review=True)))
    work["cursor"] = next_cursor(template, work, None)
    return _shown(template, work, ctx)


def show(template: Template, draft: NoteDraft, ctx: Ctx) -> Outcome:
    """Present wherever the draft's cursor is (a prompt or the review)."""
    work = _open(draft)
    seat(template, work)
    return _shown(template, work, ctx)


def resume(template: Template, draft: NoteDraft, ctx: Ctx) -> Outcome:
    """Show the current question again (after a restart), re-seating it if the form changed."""
    return show(template, draft, ctx)


def wants_participants(template: Template, draft: NoteDraft) -> bool:
    """Say whether this step needs ctx.participants / ctx.same_name (a participant question)."""
    cursor = draft.cursor
    if cursor.review or cursor.sub is not None:
        return False
    f = next((f for f in template.fields if f.key == cursor.field), None)
    return f is not None and f.type == "participant"


def _go_back(template: Template, draft: NoteDraft, work: dict[str, Any], ctx: Ctx) -> Outcome:
    """Return to the last screen asked before this one (once per screen, however many
    questions inside it were answered), keeping anything sent here but not yet filed."""
    here, buffer = work["cursor"], work["buffer"]
    if not here.review and here.sub is None and any(k in buffer for k in ASIDES):
        work["buffer"] = {}  # 'Same person?' or 'Remove it?': back to the question it was for
        return _shown(template, work, ctx)
    history = [c for c in work["history"] if valid(template, c)]
    target = None
    while history and target is None:
        seen = screen_of(here, history.pop(), "item" in buffer)
        target = seen if seen != here else None
    if target is None:
        return _refused(template, draft, ctx, FIRST)
    work["history"] = history
    if not here.review:
        keep_unfinished(work, template.field(here.field), here.sub)
        if here.sub is not None and target.sub is None:
            _file_partial(work, template.field(here.field))
    work["buffer"] = {k: buffer[k] for k in ("item", "index") if k in buffer} if target.sub else {}
    editing = work["editing"]
    if editing and (target.review or not covers(editing, template.field(target.field or ""))):
        work["editing"], target = None, Cursor(review=True)
    work["cursor"] = target
    return _shown(template, work, ctx)


def _file_partial(work: dict[str, Any], f: Field) -> None:
    """Leaving a half-entered person or list item: keep what was typed as the answer (a
    list item can then be changed or removed from the list), never throw it away."""
    item = work["buffer"].get("item") or {}
    if not any(v not in (None, "", []) for v in item.values()) or "index" in work["buffer"]:
        return
    answers = work["answers"]
    if f.type == "participant" and item.get("name") and not answers.get(f.key):
        answers[f.key] = {"id": None, **item}
    elif f.type == "group":
        answers[f.key] = [*(answers.get(f.key) or []), dict(item)]


def _finish(template: Template, draft: NoteDraft, work: dict[str, Any], ctx: Ctx) -> Outcome:
    """Finish: file this question's unfinished input and go to the review, leaving the
    optional questions still to come unanswered."""
    cursor = work["cursor"]
    if cursor.review:
        return _refused(template, draft, ctx, "Tap Save note to save it.")
    if not can_finish(template, work):
        if cursor.sub is not None or any(k in work["buffer"] for k in ASIDES):
            return _refused(template, draft, ctx, "Please finish this question first.")
        trial = {"answers": copy.deepcopy(work["answers"]), "buffer": work["buffer"]}
        keep_unfinished(trial, template.field(cursor.field), None)
        gaps = ", ".join(f.label for f in missing_fields(template, trial["answers"]))
        return _refused(template, draft, ctx, f"Still needed: {gaps}." if gaps else STALE)
    f = template.field(cursor.field)
    keep_unfinished(work, f, None)
    if f.type == "group":
        work["answers"][f.key] = list(work["answers"].get(f.key) or [])
    work["buffer"], work["editing"], work["gaps"] = {}, None, False
    advance_to(work, Cursor(review=True))
    return _shown(template, work, ctx)


def _at_review(
    template: Template, draft: NoteDraft, work: dict[str, Any], token: str | None, ctx: Ctx
) -> Outcome:
    if token == "nav:save":
        gaps = missing_fields(template, work["answers"])
        if gaps:
            # Walk through every question not yet asked (e.g. after consent changed to yes).
            work["gaps"], work["editing"] = True, None
            advance_to(work, next_cursor(template, work, None))
            labels = ", ".join(f.label for f in gaps)
            return _shown(template, work, ctx, f"Still needed: {labels}.")
        note = complete(template, work["answers"], ctx.clock)
        return Finished(_close(template, work), note)
    if token and token.startswith("edit:"):
        key = token.removeprefix("edit:")
        field = next((f for f in template.fields if f.key == key), None)
        if field is not None and applies(template, field, work["answers"]):
            work["editing"] = FIELD_EDIT + key
            advance_to(work, Cursor(key))
            return _shown(template, work, ctx)
        # A section's button, from a review shown before fields had their own.
        section = next((s for s in template.sections if s.key == key), None)
        if section is None:
            return _refused(template, draft, ctx, "That button has expired.")
        target = next((f for f in section.fields if applies(template, f, work["answers"])), None)
        if target is None:
            return _refused(template, draft, ctx, "That section has nothing to edit.")
        work["editing"] = key
        advance_to(work, Cursor(target.key))
        return _shown(template, work, ctx)
    return _refused(template, draft, ctx, "Tap what to change, or Save note.")


def answer(template: Template, draft: NoteDraft, inp: Input, ctx: Ctx) -> Outcome:
    """Apply one input and return what to show next; a refused input leaves the draft as it was."""
    token = inp.token
    typed = (inp.text or "").strip().lower()
    if token is None and typed in TEXT_COMMANDS:
        token = TEXT_COMMANDS[typed]
    if token == "nav:cancel" or typed == "/cancel":
        return CancelAsked(draft)
    work = _open(draft)
    if seat(template, work):
        return _shown(template, work, ctx, MOVED)
    if token == "nav:back":
        return _go_back(template, draft, work, ctx)
    if token == "nav:finish":
        return _finish(template, draft, work, ctx)
    cursor = work["cursor"]
    if cursor.review:
        return _at_review(template, draft, work, token, ctx)
    f = template.field(cursor.field)
    try:
        result = apply_input(template, work, f, cursor.sub, inp.text, token, ctx)
    except Invalid as exc:
        return _refused(template, draft, ctx, str(exc))
    if result.stay_sub is not None:
        advance_to(work, Cursor(f.key, result.stay_sub or None))
    elif not result.stay:
        work["buffer"] = {}
        advance_to(work, next_cursor(template, work, f.key, result.filled))
    return _shown(template, work, ctx, result.remark)


__all__ = [
    "Asked",
    "CancelAsked",
    "Clock",
    "Ctx",
    "Finished",
    "Input",
    "Outcome",
    "Prompt",
    "Refused",
    "ReviewView",
    "Reviewing",
    "answer",
    "resume",
    "show",
    "start",
    "wants_participants",
]
