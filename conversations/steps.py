"""What each field type asks and how it takes an answer; engine.py does the navigating.

Participants are in person.py, lists in groups.py, the questions inside either in items.py,
long texts in longtext.py and the 'Just now' answer in justnow.py.
"""

from __future__ import annotations

from typing import Any

from conversations import groups, items, justnow, longtext, person, pronouns
from conversations.context import STALE, Ctx, PromptParts, StepResult
from conversations.fields import Invalid
from conversations.render import format_value
from conversations.rules import required
from conversations.template import Field, Template
from conversations.values import quick_choices, value_input

# A date typed with a time ('yesterday 3pm', 'Thursday at 3pm') answers the time after it too.
DATE_WITH_TIME = (("session_date", "start_time"), ("next_date", "next_time"))


def apply_input(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    sub: str | None,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    """Apply one input at the cursor, mutating ``draft``; raise Invalid to leave it alone."""
    answers, buffer = draft["answers"], draft["buffer"]
    if f.type in ("group", "participant"):
        if sub is not None:
            return items.take(template, draft, f, sub, text, token, ctx)
        return (groups.take if f.type == "group" else person.take)(
            template, draft, f, text, token, ctx
        )
    if token == "nav:skip":
        if required(template, f, answers):
            raise Invalid("This question needs an answer.")
        answers[f.key] = None
        draft["buffer"] = {}
        return StepResult()
    if token == "nav:keep":
        if f.key not in answers:
            raise Invalid("There is no earlier answer to keep.")
        if buffer.get("parts"):
            raise Invalid(STALE)  # Keep is not offered once new text was sent: don't drop it.
        draft["buffer"] = {}
        return StepResult()
    if f.type == "longtext":
        return longtext.take(draft, f, text, token)
    if f.type == "multichoice":
        return _multichoice(template, draft, f, text, token, ctx)
    if f.type == "pronouns":
        said = pronouns.value(f, text, token)
        if said == pronouns.OTHER:
            raise Invalid(pronouns.ASK_OTHER + " " + pronouns.OTHER_HELP)
        answers[f.key] = said
        return StepResult()
    if token == "nav:done":
        raise Invalid("Please type an answer or tap an option.")
    if f.type == "date" and justnow.offered(template, f) and justnow.wanted(text, token):
        return StepResult(filled=justnow.answer(template, answers, f, token, ctx))
    if f.type == "date":
        return _date(template, draft, f, text, token, ctx)
    answers[f.key] = value_input(template, draft, f, text, token, ctx)
    draft["buffer"] = {}
    return StepResult()


def _date(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    """Take a date; a time typed with it answers the time question that follows."""
    answers = draft["answers"]
    roles = template.roles
    time_key = next(
        (roles.get(t) for d, t in DATE_WITH_TIME if roles.get(d) == f.key and roles.get(t)), None
    )
    earlier = answers.pop(time_key, None) if time_key else None
    answers[f.key] = value_input(template, draft, f, text, token, ctx)
    if time_key and answers.get(time_key) is not None:
        return StepResult(filled=(time_key,))
    if time_key and earlier is not None:
        answers[time_key] = earlier
    return StepResult()


def _multichoice(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    """Tick and untick, then Done; with ``with_text``, typed text answers that field too."""
    answers, buffer = draft["answers"], draft["buffer"]
    picked = list(buffer.get("picked", answers.get(f.key) or []))
    if token is None:
        if not f.with_text:
            answers[f.key] = value_input(template, draft, f, text, None, ctx)
            draft["buffer"] = {}
            return StepResult()
        words = template.field(f.with_text)
        answers[words.key] = value_input(template, draft, words, text, None, ctx)
        answers[f.key] = picked
        draft["buffer"] = {}
        return StepResult(filled=(words.key,))
    if token == "nav:done":
        if f.required and not picked:
            raise Invalid("Please pick at least one option, then tap Done.")
        answers[f.key] = picked
        draft["buffer"] = {}
        return StepResult()
    choice = token.removeprefix("c:")
    if not token.startswith("c:") or choice not in {c.token for c in f.choices}:
        raise Invalid(STALE)
    picked = [c for c in picked if c != choice] if choice in picked else [*picked, choice]
    buffer["picked"] = sorted(picked, key=[c.token for c in f.choices].index)
    return StepResult(stay=True)


def build_prompt(
    template: Template, draft: dict[str, Any], f: Field, sub: str | None, ctx: Ctx
) -> PromptParts:
    """Describe the question at the cursor, with its buttons and the current answer."""
    answers, buffer = draft["answers"], draft["buffer"]
    if f.type in ("group", "participant") and sub:
        return items.prompt(f, sub, draft)
    if f.type == "group":
        return groups.prompt(draft, f)
    if f.type == "participant":
        return person.prompt(draft, f, ctx)
    has = f.key in answers
    current = format_value(f, answers[f.key]) if has else None
    if f.type == "longtext":
        return longtext.prompt(draft, f, current)
    selected: tuple[str, ...] = ()
    offered = pronouns.choices(f) if f.type == "pronouns" else quick_choices(f)
    if f.type == "multichoice":
        selected = tuple(buffer.get("picked", answers.get(f.key) or []))
    if f.type == "date" and justnow.offered(template, f):
        offered = (*offered, justnow.choice(ctx))
    return PromptParts(
        f.key,
        f.prompt,
        _help(template, f),
        offered,
        selected=selected,
        current=current,
        multi=f.type == "multichoice",
        allow_done=f.type == "multichoice",
        allow_keep=has,
        allow_skip=not required(template, f, answers),
        # Tags whose screen also takes the concerns typed: the bot's hint should invite typing.
        field_type="multichoice_text" if f.with_text else f.type,
    )


def _help(template: Template, f: Field) -> str:
    """The field's help; the consent question says exactly what a No keeps."""
    rule = template.consent
    if rule is None or f.key != rule.field:
        return f.help
    kept = [
        f"{k.label.lower()}'s name or code" if k.type == "participant" else k.label.lower()
        for k in map(template.field, rule.keep)
        if k.key != f.key
    ]
    listed = f"{', '.join(kept[:-1])} and {kept[-1]}" if len(kept) > 1 else "".join(kept)
    return f"If No: only the {listed} are kept, and nothing else is asked."


def keep_unfinished(draft: dict[str, Any], f: Field, sub: str | None) -> None:
    """File what was sent or picked at the cursor but not yet confirmed with Done."""
    if sub is not None:
        return
    if f.type == "longtext":
        longtext.keep_parts(draft, f)
    elif f.type == "multichoice" and draft["buffer"].get("picked"):
        draft["answers"][f.key] = list(draft["buffer"]["picked"])
