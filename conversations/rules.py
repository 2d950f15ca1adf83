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


def missing_fields(template: Template, answers: Mapping[str, Any]) -> list[Field]:
    """List required fields that apply but have no answer yet (e.g. after consent changed)."""
    return [
        f
        for f in template.fields
        if applies(template, f, answers) and f.required and answers.get(f.key) in (None, "", [])
    ]
