"""Which fields a note asks and keeps, given the answers so far (consent and 'when' rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conversations.template import Field, Template


def applies(template: Template, f: Field, answers: Mapping[str, Any]) -> bool:
    """Say whether a top-level field is asked and kept, given the answers so far."""
    rule = template.consent
    if rule and answers.get(rule.field) == rule.declined and f.key not in rule.keep:
        return False
    return f.when.holds(answers) if f.when else True


def declined(template: Template, answers: Mapping[str, Any]) -> bool:
    """Say whether consent to documentation was declined."""
    rule = template.consent
    return bool(rule and answers.get(rule.field) == rule.declined)


def tags_for(template: Template, f: Field) -> Field | None:
    """The multichoice field whose screen also takes ``f`` typed (``with_text``), if any."""
    return next((t for t in template.fields if t.with_text == f.key), None)


def required(template: Template, f: Field, answers: Mapping[str, Any]) -> bool:
    """Say whether a top-level field needs an answer: a text shared with tags does not once a
    tag is ticked ('Housing' may say it all)."""
    if not f.required:
        return False
    tags = tags_for(template, f)
    return not (tags is not None and answers.get(tags.key))


def incomplete(f: Field, value: Any) -> bool:
    """Whether a list has an item missing a required part (kept when Back left it half done)."""
    if f.type != "group" or not isinstance(value, list):
        return False
    needed = [s.key for s in f.fields if s.required]
    return any(isinstance(item, dict) and any(not item.get(k) for k in needed) for item in value)


def missing_fields(template: Template, answers: Mapping[str, Any]) -> list[Field]:
    """List required fields that apply but have no answer yet (e.g. after consent changed),
    and lists with a half-entered item."""
    return [
        f
        for f in template.fields
        if applies(template, f, answers)
        and (
            (required(template, f, answers) and answers.get(f.key) in (None, "", []))
            or incomplete(f, answers.get(f.key))
        )
    ]
