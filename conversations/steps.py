"""What each field type asks and how it takes an answer; engine.py does the navigating."""

from __future__ import annotations

from typing import Any

from conversations import longtext
from conversations.context import STALE, Ctx, PromptParts, StepResult
from conversations.fields import Invalid, strip_invisible
from conversations.render import format_item, format_value
from conversations.template import Choice, Field, Template
from conversations.values import quick_choices, value_input

NEW_PERSON = Choice("p:new", "Someone new")
NOT_THEM = Choice("p:new", "No, someone new")


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
        if sub is None:
            return (_group_top if f.type == "group" else _participant_top)(
                template, draft, f, text, token, ctx
            )
        return _sub_field(template, draft, f, sub, text, token, ctx)
    if token == "nav:skip":
        if f.required:
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
    if f.type == "multichoice" and token is not None:
        picked = list(buffer.get("picked", answers.get(f.key) or []))
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
    if token == "nav:done":
        raise Invalid("Please type an answer or tap an option.")
    answers[f.key] = value_input(template, draft, f, text, token, ctx)
    draft["buffer"] = {}
    return StepResult()


def _group_top(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    items = list(draft["answers"].get(f.key) or [])
    if token in ("nav:done", "nav:skip", "nav:keep"):
        if f.required and not items:
            raise Invalid("Please add at least one item.")
        draft["answers"][f.key] = items
        return StepResult()
    if token == "nav:undo" and items:
        draft["answers"][f.key] = items[:-1]
        return StepResult(stay=True, remark="Removed the last one.")
    if token == "nav:add" or (token is None and text):
        if len(items) >= f.max_items:
            raise Invalid(f"That's the most this note can hold ({f.max_items}).")
        draft["buffer"] = {"item": {}}
        if token == "nav:add":
            return StepResult(stay_sub=f.fields[0].key)
        return _sub_field(template, draft, f, f.fields[0].key, text, None, ctx)
    raise Invalid(STALE)


def _name_of(label: str) -> str:
    """The name in a participant button's label ('Alex · last seen Sun 22 Nov' -> 'Alex')."""
    return label.split(" · ")[0].strip()


def _same(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _participant_top(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    answers, buffer = draft["answers"], draft["buffer"]
    if token == "nav:keep" and answers.get(f.key):
        return StepResult()
    if "same" in buffer and token is not None:
        return _same_person(template, draft, f, token, ctx)
    if token == "p:new":
        draft["buffer"] = {"item": {}}
        return StepResult(stay_sub=f.fields[0].key)
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
    draft["buffer"] = {"item": {}}
    return _sub_field(template, draft, f, f.fields[0].key, name, None, ctx)


def _same_person(
    template: Template, draft: dict[str, Any], f: Field, token: str, ctx: Ctx
) -> StepResult:
    """Take the answer to 'Is this the same <name> as before?'."""
    typed = str(draft["buffer"].get("typed") or "")
    if token == NOT_THEM.token:
        draft["buffer"] = {"item": {}}
        if not typed:
            return StepResult(stay_sub=f.fields[0].key)
        return _sub_field(template, draft, f, f.fields[0].key, typed, None, ctx)
    label = next((lb for tk, lb in draft["buffer"]["same"] if tk == token), None)
    if label is None or not token.startswith("p:"):
        raise Invalid(STALE)
    draft["answers"][f.key] = {"id": token.removeprefix("p:"), "name": _name_of(label) or typed}
    draft["buffer"] = {}
    return StepResult()


def _sub_field(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    sub: str,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    sf = next(s for s in f.fields if s.key == sub)
    item = draft["buffer"].setdefault("item", {})
    if f.type == "participant" and sub == "name" and text is not None:
        text = strip_invisible(text)
    if token == "nav:skip":
        if sf.required:
            raise Invalid("This question needs an answer.")
        item[sub] = None
    else:
        item[sub] = value_input(template, draft, sf, text, token, ctx)
    keys = [s.key for s in f.fields]
    nxt = keys.index(sub) + 1
    if nxt < len(keys):
        return StepResult(stay_sub=keys[nxt])
    draft["buffer"] = {}
    if f.type == "participant":
        draft["answers"][f.key] = {"id": None, **item}
        return StepResult()
    draft["answers"][f.key] = [*(draft["answers"].get(f.key) or []), item]
    return StepResult(stay_sub="", remark=f"Added: {format_item(f, item)}")


def build_prompt(
    template: Template, draft: dict[str, Any], f: Field, sub: str | None, ctx: Ctx
) -> PromptParts:
    """Describe the question at the cursor, with its buttons and the current answer."""
    answers, buffer = draft["answers"], draft["buffer"]
    if f.type in ("group", "participant") and sub:
        sf = next(s for s in f.fields if s.key == sub)
        return PromptParts(
            f"{f.key}.{sub}",
            sf.prompt,
            sf.help,
            quick_choices(sf),
            allow_skip=not sf.required,
            field_type=sf.type,
        )
    if f.type == "group":
        items = answers.get(f.key) or []
        listed = "\n".join(f"{i}. {format_item(f, it)}" for i, it in enumerate(items, 1))
        text = f"{f.prompt}\n{listed}" if items else f"{f.prompt}\nNone yet."
        choices = [Choice("nav:add", "Add one")]
        if items:
            choices.append(Choice("nav:undo", "Remove last"))
        return PromptParts(
            f.key,
            text,
            f.help or "Tap Add one, or type it; Done when finished.",
            tuple(choices),
            allow_done=True,
            field_type=f.type,
        )
    if f.type == "participant":
        return _participant_prompt(draft, f, ctx)
    has = f.key in answers
    current = format_value(f, answers[f.key]) if has else None
    if f.type == "longtext":
        return longtext.prompt(draft, f, current)
    selected: tuple[str, ...] = ()
    if f.type == "multichoice":
        selected = tuple(buffer.get("picked", answers.get(f.key) or []))
    return PromptParts(
        f.key,
        f.prompt,
        f.help,
        quick_choices(f),
        selected=selected,
        current=current,
        multi=f.type == "multichoice",
        allow_done=f.type == "multichoice",
        allow_keep=has,
        allow_skip=not f.required,
        field_type=f.type,
    )


def _participant_prompt(draft: dict[str, Any], f: Field, ctx: Ctx) -> PromptParts:
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


def keep_unfinished(draft: dict[str, Any], f: Field, sub: str | None) -> None:
    """File what was sent or picked at the cursor but not yet confirmed with Done."""
    if sub is not None:
        return
    if f.type == "longtext":
        longtext.keep_parts(draft, f)
    elif f.type == "multichoice" and draft["buffer"].get("picked"):
        draft["answers"][f.key] = list(draft["buffer"]["picked"])
