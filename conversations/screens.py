"""What to show at a draft's cursor: a question with its step and navigation, or the review.

Works on the engine's working copy of a draft (a dict holding Cursor values); see engine.py.
Navigation is always in NAV_ORDER, whichever of it a question offers, so buttons never move.
"""

from __future__ import annotations

import copy
from typing import Any

from conversations.completion import kept_answers
from conversations.context import Ctx, PromptParts
from conversations.outcome import Prompt, ReviewView
from conversations.progress import step_label
from conversations.render import RenderedSection, render_sections
from conversations.rules import applies, declined, missing_fields
from conversations.steps import build_prompt, keep_unfinished
from conversations.template import Choice, Field, Template
from conversations.values import examples

NAV_ORDER = ("nav:back", "nav:skip", "nav:keep", "nav:done", "nav:finish", "nav:cancel")
NAV = {
    "nav:back": "Back",
    "nav:skip": "Skip",
    "nav:keep": "Keep",
    "nav:done": "Done",
    "nav:finish": "Finish",
    "nav:cancel": "Cancel",
}
REVIEW = "Review"
# Buffer keys of a question asked inside another (same person? remove it? which pronouns?).
ASIDES = ("same", "remove", "other")


def edit_label(template: Template, f: Field) -> str:
    """A field's name on its edit button: the section's title when it is alone there."""
    section = template.sections[template.section_of(f.key)]
    return section.title if len(section.fields) == 1 else f.short or f.label


def review_view(template: Template, answers: dict[str, Any]) -> ReviewView:
    """Every section with what can be edited in it, and Save; with consent declined, only
    the sections still kept, and a line saying what is not recorded."""
    kept = kept_answers(template, answers)
    sections = render_sections(template, kept, lambda f: applies(template, f, answers))
    shown: tuple[RenderedSection, ...] = sections
    if declined(template, answers) and any(s.note for s in sections):
        shown = tuple(s for s in sections if s.note is None)
        titles = [s.title.lower() for s in sections if s.note is not None]
        dropped = " and ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)
        shown += (
            RenderedSection(
                "not_recorded",
                "Not recorded",
                (),
                f"Consent to documentation was declined, so {dropped} are not recorded.",
            ),
        )
    actions, seen = [], set()
    for f in template.fields:
        if not applies(template, f, answers):
            continue
        label = edit_label(template, f)
        if label in seen:
            label = f"{label} ({template.sections[template.section_of(f.key)].title})"
        seen.add(label)
        actions.append(Choice(f"edit:{f.key}", f"Edit {label}"))
    missing = tuple(f.label for f in missing_fields(template, answers))
    return ReviewView(REVIEW, shown, (*actions, Choice("nav:save", "Save note")), missing)


def can_finish(template: Template, work: dict[str, Any]) -> bool:
    """Whether Finish may jump to the review from here: a question of its own (not one inside
    another, nor one field edited from the review), with nothing required left unanswered."""
    cursor = work["cursor"]
    if cursor.review or cursor.sub is not None or any(k in work["buffer"] for k in ASIDES):
        return False
    if (work["editing"] or "").startswith("field:"):
        return False
    trial = {"answers": copy.deepcopy(work["answers"]), "buffer": work["buffer"]}
    keep_unfinished(trial, template.field(cursor.field), None)
    return not missing_fields(template, trial["answers"])


def _nav(template: Template, work: dict[str, Any], p: PromptParts) -> tuple[Choice, ...]:
    unfinished = bool(work["buffer"].get("picked") or work["buffer"].get("parts"))
    offered = {
        "nav:back": bool(work["history"]) or any(k in work["buffer"] for k in ASIDES),
        # Keep takes Skip's place when there is an answer; once something is ticked or sent,
        # Done files it and Skip (which would drop it) goes.
        "nav:skip": p.allow_skip and not p.allow_keep and not unfinished,
        "nav:keep": p.allow_keep,
        "nav:done": p.allow_done,
        "nav:finish": can_finish(template, work),
        "nav:cancel": True,
    }
    return tuple(Choice(token, NAV[token]) for token in NAV_ORDER if offered[token])


def present(
    template: Template, work: dict[str, Any], ctx: Ctx, remark: str | None = None
) -> Prompt | ReviewView:
    """Build the question at the cursor (``remark`` acknowledging the last input) or the review."""
    cursor = work["cursor"]
    if cursor.review:
        return review_view(template, work["answers"])
    f = template.field(cursor.field)
    p = build_prompt(template, work, f, cursor.sub, ctx)
    step, number, total = step_label(template, work, cursor)
    return Prompt(
        key=p.key,
        text=p.text,
        help=p.help,
        step=step,
        choices=p.choices,
        nav=_nav(template, work, p),
        selected=p.selected,
        current=p.current,
        remark=remark or p.remark,
        multi=p.multi,
        field_type=p.field_type,
        number=number,
        total=total,
        examples=examples(_asked(f, cursor.sub), ctx.clock.date_order),
    )


def _asked(f: Field, sub: str | None) -> Field:
    """The field a question is about: a sub-field inside a participant or list."""
    return next((s for s in f.fields if s.key == sub), f) if sub else f
