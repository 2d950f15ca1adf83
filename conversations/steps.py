"""What each field type asks and how it takes an answer; engine.py does the navigating."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from conversations.fields import (
    Clock,
    Invalid,
    parse_date,
    parse_duration,
    parse_integer,
    parse_text,
    parse_time,
)
from conversations.render import format_item, format_value
from conversations.template import Choice, Field, Template

YES = {"yes", "y", "yeah", "yep"}
NO = {"no", "n", "nope"}
QUICK_DURATIONS = (30, 45, 60, 90)
STALE = "That button has expired. Please use the latest message."


@dataclass(frozen=True)
class Ctx:
    """What the engine knows beyond the draft: the clock and the worker's recent participants."""

    clock: Clock
    participants: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class PromptParts:
    key: str
    text: str
    help: str
    choices: tuple[Choice, ...]
    selected: tuple[str, ...] = ()
    current: str | None = None
    note: str | None = None
    multi: bool = False
    allow_done: bool = False
    allow_keep: bool = False
    allow_skip: bool = False


@dataclass
class StepResult:
    """Where to go after an accepted input: on (default), stay here, or into a sub-field."""

    stay: bool = False
    stay_sub: str | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def quick_choices(f: Field) -> tuple[Choice, ...]:
    """Buttons for a field: its choices, or handy shortcuts for dates, durations and ratings."""
    if f.type in ("choice", "multichoice"):
        return tuple(Choice(f"c:{c.token}", c.label) for c in f.choices)
    if f.type == "yesno":
        return (Choice("c:yes", "Yes"), Choice("c:no", "No"))
    if f.type == "rating":
        return tuple(
            Choice(f"c:{i}", str(i)) for i in range(f.minimum or 1, (f.maximum or 10) + 1)
        )
    if f.type == "date":
        if f.dates == "future":
            return (Choice("c:tomorrow", "Tomorrow"), Choice("c:next_week", "In a week"))
        return (Choice("c:today", "Today"), Choice("c:yesterday", "Yesterday"))
    if f.type == "duration":
        return tuple(Choice(f"c:{m}", f"{m} min") for m in QUICK_DURATIONS)
    return ()


def _token_text(token: str) -> str:
    return {"next_week": "in 1 week"}.get(token, token)


def _match_choice(f: Field, text: str) -> str:
    raw = text.strip().casefold()
    for i, c in enumerate(f.choices, 1):
        if raw in (c.token, c.label.casefold(), str(i)):
            return c.token
    options = ", ".join(c.label for c in f.choices)
    raise Invalid(f"Please tap one of the options (or type one of: {options}).")


def parse_value(template: Template, draft: dict[str, Any], f: Field, text: str, ctx: Ctx) -> Any:
    """Turn typed text (or a quick-button token's text) into the stored value for ``f``."""
    clock = ctx.clock
    if f.type in ("text", "longtext"):
        return parse_text(text, f.max_length)
    if f.type == "choice":
        return _match_choice(f, text)
    if f.type == "multichoice":
        parts = [p for p in re.split(r"[,;]+", text) if p.strip()]
        return sorted({_match_choice(f, p) for p in parts}, key=[c.token for c in f.choices].index)
    if f.type == "yesno":
        word = text.strip().casefold()
        if word in YES or word in NO:
            return "yes" if word in YES else "no"
        raise Invalid("Please answer yes or no.")
    if f.type in ("integer", "rating"):
        return parse_integer(text, f.minimum, f.maximum)
    if f.type == "duration":
        return parse_duration(text)
    if f.type == "date":
        day, hint = parse_date(text, clock, f.dates)
        time_key = template.roles.get("start_time")
        if hint and f.key == template.roles.get("session_date") and time_key:
            draft["answers"].setdefault(time_key, hint.strftime("%H:%M"))
        return day.isoformat()
    if f.type == "time":
        t = parse_time(text, clock)
        _refuse_future_start(template, draft, f, t, clock)
        return t.strftime("%H:%M")
    raise Invalid("Please use the buttons for this question.")


def _refuse_future_start(
    template: Template, draft: dict[str, Any], f: Field, t: time, clock: Clock
) -> None:
    if f.key != template.roles.get("start_time"):
        return
    day = draft["answers"].get(template.roles.get("session_date", ""))
    if day == clock.today.isoformat() and t > clock.local_now.time():
        raise Invalid(
            "That start time is later than now. Notes are for sessions that have happened."
        )


def _value_input(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> Any:
    if token is not None:
        if not token.startswith("c:"):
            raise Invalid(STALE)
        choice = token.removeprefix("c:")
        if choice not in {c.token.removeprefix("c:") for c in quick_choices(f)}:
            raise Invalid(STALE)
        text = _token_text(choice) if f.type not in ("choice",) else f.choice_label(choice)
    if text is None:
        raise Invalid("Please type an answer or tap an option.")
    return parse_value(template, draft, f, text, ctx)


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
        draft["buffer"] = {}
        return StepResult()
    if f.type == "longtext":
        return _longtext(draft, f, text, token)
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
    answers[f.key] = _value_input(template, draft, f, text, token, ctx)
    draft["buffer"] = {}
    return StepResult()


def _longtext(draft: dict[str, Any], f: Field, text: str | None, token: str | None) -> StepResult:
    answers, parts = draft["answers"], draft["buffer"].get("parts", [])
    if token == "nav:done":
        if parts:
            answers[f.key] = "\n\n".join(parts)
        elif f.required and not answers.get(f.key):
            raise Invalid("Please send at least one message first, then tap Done.")
        else:
            answers.setdefault(f.key, None)
        draft["buffer"] = {}
        return StepResult()
    if token is not None or text is None:
        raise Invalid("Please type your answer, then tap Done.")
    part = parse_text(text, f.max_length)
    total = sum(len(p) for p in parts) + len(part) + 2 * len(parts)
    if total > f.max_length:
        raise Invalid(
            f"That would make {total:,} characters; the limit here is {f.max_length:,}. "
            "Please shorten this part and send it again."
        )
    draft["buffer"]["parts"] = [*parts, part]
    return StepResult(
        stay=True, note=f"Got it ({total:,} characters so far). Send more, or tap Done."
    )


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
        return StepResult(stay=True, note="Removed the last one.")
    if token == "nav:add" or (token is None and text):
        if len(items) >= f.max_items:
            raise Invalid(f"That's the most this note can hold ({f.max_items}).")
        draft["buffer"] = {"item": {}}
        if token == "nav:add":
            return StepResult(stay_sub=f.fields[0].key)
        return _sub_field(template, draft, f, f.fields[0].key, text, None, ctx)
    raise Invalid(STALE)


def _participant_top(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    if token == "nav:keep" and draft["answers"].get(f.key):
        return StepResult()
    if token == "p:new":
        draft["buffer"] = {"item": {}}
        return StepResult(stay_sub=f.fields[0].key)
    if token is not None:
        known = next((c for c in ctx.participants if c.token == token), None)
        if known is None:
            raise Invalid(STALE)
        draft["answers"][f.key] = {"id": token.removeprefix("p:"), "name": known.label}
        return StepResult()
    if not text or not text.strip():
        raise Invalid("Please tap a name, or type a name or code.")
    wanted = " ".join(text.casefold().split())
    matches = [c for c in ctx.participants if " ".join(c.label.casefold().split()) == wanted]
    if len(matches) == 1:
        draft["answers"][f.key] = {
            "id": matches[0].token.removeprefix("p:"),
            "name": matches[0].label,
        }
        return StepResult()
    draft["buffer"] = {"item": {}}
    return _sub_field(template, draft, f, f.fields[0].key, text, None, ctx)


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
    if token == "nav:skip":
        if sf.required:
            raise Invalid("This question needs an answer.")
        item[sub] = None
    else:
        item[sub] = _value_input(template, draft, sf, text, token, ctx)
    keys = [s.key for s in f.fields]
    nxt = keys.index(sub) + 1
    if nxt < len(keys):
        return StepResult(stay_sub=keys[nxt])
    draft["buffer"] = {}
    if f.type == "participant":
        draft["answers"][f.key] = {"id": None, **item}
        return StepResult()
    draft["answers"][f.key] = [*(draft["answers"].get(f.key) or []), item]
    return StepResult(stay_sub="", note=f"Added: {format_item(f, item)}")


def build_prompt(
    template: Template, draft: dict[str, Any], f: Field, sub: str | None, ctx: Ctx
) -> PromptParts:
    """Describe the question at the cursor, with its buttons and the current answer."""
    answers, buffer = draft["answers"], draft["buffer"]
    if f.type in ("group", "participant") and sub:
        sf = next(s for s in f.fields if s.key == sub)
        return PromptParts(
            f"{f.key}.{sub}", sf.prompt, sf.help, quick_choices(sf), allow_skip=not sf.required
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
        )
    if f.type == "participant":
        current = format_value(f, answers[f.key]) if answers.get(f.key) else None
        people = (*ctx.participants, Choice("p:new", "Someone new"))
        return PromptParts(
            f.key, f.prompt, f.help, people, current=current, allow_keep=current is not None
        )
    has = f.key in answers
    current = format_value(f, answers[f.key]) if has else None
    if f.type == "longtext":
        parts = buffer.get("parts", [])
        note = (
            f"Got it ({sum(map(len, parts)):,} characters so far). Send more, or tap Done."
            if parts
            else None
        )
        return PromptParts(
            f.key,
            f.prompt,
            f.help,
            (),
            current=current,
            note=note,
            allow_done=True,
            allow_keep=has and not parts,
            allow_skip=not f.required,
        )
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
    )
