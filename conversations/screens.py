"""What to show at a draft's cursor: a question with its step and navigation, or the review.

Works on the engine's working copy of a draft (a dict holding Cursor values); see engine.py.
"""

from __future__ import annotations

from typing import Any

from conversations.context import Ctx, PromptParts
from conversations.outcome import Prompt, ReviewView
from conversations.render import render_sections
from conversations.rules import applies, missing_fields
from conversations.steps import build_prompt
from conversations.template import Choice, Template


def step_label(template: Template, section_index: int | None) -> str:
    """Say where in the note this is: 'Step 2 of 9 · Participant' (None is the review)."""
    total = len(template.sections) + 1
    if section_index is None:
        return f"Step {total} of {total} · Review"
    title = template.sections[section_index].title
    return f"Step {section_index + 1} of {total} · {title}"


def review_view(template: Template, answers: dict[str, Any]) -> ReviewView:
    """Render every section with the buttons to edit each one or save the note."""
    sections = render_sections(template, answers, lambda f: applies(template, f, answers))
    actions = tuple(Choice(f"edit:{s.key}", f"Edit {s.title}") for s in template.sections)
    missing = tuple(f.label for f in missing_fields(template, answers))
    return ReviewView(
        step_label(template, None), sections, (*actions, Choice("nav:save", "Save note")), missing
    )


def _nav(work: dict[str, Any], p: PromptParts) -> tuple[Choice, ...]:
    out = []
    if p.allow_done:
        out.append(Choice("nav:done", "Done"))
    if p.allow_keep:
        out.append(Choice("nav:keep", "Keep"))
    if p.allow_skip:
        out.append(Choice("nav:skip", "Skip"))
    if work["history"]:
        out.append(Choice("nav:back", "Back"))
    out.append(Choice("nav:cancel", "Cancel"))
    return tuple(out)


def present(
    template: Template, work: dict[str, Any], ctx: Ctx, remark: str | None = None
) -> Prompt | ReviewView:
    """Build the question at the cursor (``remark`` acknowledging the last input) or the review."""
    cursor = work["cursor"]
    if cursor.review:
        return review_view(template, work["answers"])
    f = template.field(cursor.field)
    p = build_prompt(template, work, f, cursor.sub, ctx)
    return Prompt(
        key=p.key,
        text=p.text,
        help=p.help,
        step=step_label(template, template.section_of(f.key)),
        choices=p.choices,
        nav=_nav(work, p),
        selected=p.selected,
        current=p.current,
        remark=remark or p.remark,
        multi=p.multi,
        field_type=p.field_type,
    )
