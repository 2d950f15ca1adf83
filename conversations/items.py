"""The questions inside a participant or a list item, answered into the buffer's ``item``.

The buffer holds the ``item`` being made (and, when an existing list item is being
changed, its ``index``); ``other`` is set while asking which pronouns 'Other' means.
"""

from __future__ import annotations

from typing import Any

from conversations import pronouns
from conversations.context import Ctx, PromptParts, StepResult
from conversations.fields import Invalid, strip_invisible
from conversations.render import format_item, format_value
from conversations.template import Field, Template
from conversations.values import quick_choices, value_input


def _partners(f: Field, sub: str) -> list[Field]:
    return [s for s in f.fields if s.asked_with == sub]


def _filled(draft: dict[str, Any], sf: Field, text: str | None, token: str | None) -> bool:
    """Answer a pronouns question; False when 'Other' still has to be said."""
    said = pronouns.value(sf, text, token)
    if said == pronouns.OTHER:
        if draft["buffer"].get("other"):
            raise Invalid("Please type the pronouns to use, or tap Skip.")
        draft["buffer"]["item"].pop(sf.key, None)
        draft["buffer"]["other"] = True
        return False
    draft["buffer"]["item"][sf.key] = said
    draft["buffer"].pop("other", None)
    return True


def _together(
    template: Template,
    draft: dict[str, Any],
    sf: Field,
    partner: Field,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> set[str]:
    """Take '29, they/them' (or one of them) on a question asking both; return what was set."""
    item = draft["buffer"]["item"]
    if token is not None:
        item.setdefault(sf.key, None)
        return {sf.key, partner.key} if _filled(draft, partner, None, token) else {sf.key}
    first, second = pronouns.split(text or "")
    if first is not None:
        try:
            item[sf.key] = value_input(template, draft, sf, first, None, ctx)
        except Invalid as exc:
            plain = second is None and not any(c.isdigit() for c in first)
            raise Invalid(pronouns.BOTH if plain else str(exc)) from None
    else:
        item.setdefault(sf.key, None)
    if second is None:
        return {sf.key}
    return {sf.key, partner.key} if _filled(draft, partner, second, None) else {sf.key}


def take(
    template: Template,
    draft: dict[str, Any],
    f: Field,
    sub: str,
    text: str | None,
    token: str | None,
    ctx: Ctx,
) -> StepResult:
    """Answer one sub-question, then ask the next one, or file the finished item."""
    sf = next(s for s in f.fields if s.key == sub)
    item = draft["buffer"].setdefault("item", {})
    if f.type == "participant" and sub == "name" and text is not None:
        text = strip_invisible(text)
    partners = _partners(f, sub)
    done = {sub}
    if token == "nav:keep":
        if sub not in item or draft["buffer"].get("other"):
            raise Invalid("There is no earlier answer to keep.")
        done |= {s.key for s in partners if s.key in item}
    elif token == "nav:skip":
        if sf.required:
            raise Invalid("This question needs an answer.")
        for s in (sf, *partners):
            item[s.key] = None
            done.add(s.key)
        draft["buffer"].pop("other", None)
    elif partners:
        done = _together(template, draft, sf, partners[0], text, token, ctx)
    elif sf.type == "pronouns":
        if not _filled(draft, sf, text, token):
            return StepResult(stay_sub=sub)
    else:
        item[sub] = value_input(template, draft, sf, text, token, ctx)
    if draft["buffer"].get("other"):
        return StepResult(stay_sub=next(s.key for s in partners or [sf] if s.type == "pronouns"))
    keys = [s.key for s in f.fields]
    later = [k for k in keys[keys.index(sub) + 1 :] if k not in done]
    if later:
        return StepResult(stay_sub=later[0])
    return _file(draft, f, item)


def _file(draft: dict[str, Any], f: Field, item: dict[str, Any]) -> StepResult:
    index = draft["buffer"].get("index")
    draft["buffer"] = {}
    if f.type == "participant":
        draft["answers"][f.key] = {"id": None, **item}
        return StepResult()
    items = list(draft["answers"].get(f.key) or [])
    if isinstance(index, int) and 0 <= index < len(items):
        items[index] = item
        draft["answers"][f.key] = items
        return StepResult(stay_sub="", remark=f"Changed: {format_item(f, item)}")
    draft["answers"][f.key] = [*items, item]
    return StepResult(stay_sub="", remark=f"Added: {format_item(f, item)}")


def prompt(f: Field, sub: str, draft: dict[str, Any]) -> PromptParts:
    """A sub-question, with the item's earlier answer to it (when changing an item)."""
    sf = next(s for s in f.fields if s.key == sub)
    buffer = draft["buffer"]
    item = buffer.get("item", {})
    key = f"{f.key}.{sub}"
    if buffer.get("other"):
        return PromptParts(key, pronouns.ASK_OTHER, pronouns.OTHER_HELP, (), field_type="pronouns")
    partners = _partners(f, sub)
    asked = partners[0] if partners else sf
    offered = pronouns.choices(asked) if asked.type == "pronouns" else quick_choices(sf)
    shown = [format_value(s, item[s.key]) for s in (sf, *partners) if item.get(s.key)]
    return PromptParts(
        key,
        sf.prompt,
        sf.help,
        offered,
        current=", ".join(shown) if sub in item and shown else None,
        allow_keep=sub in item,
        allow_skip=not sf.required,
        field_type="age_pronouns" if asked.type == "pronouns" and partners else sf.type,
    )
