"""Turn answers into plain-text sections: used by the review, lookups and (later) exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from conversations.fields import format_duration
from conversations.template import Field, Template

NOT_RECORDED = "Not recorded (consent to documentation declined)."


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: str
    lines: tuple[tuple[str, str], ...]
    note: str | None = None


def format_date(iso: str) -> str:
    """'2026-11-21' -> 'Sat 21 Nov 2026'."""
    d = date.fromisoformat(iso)
    return f"{d:%a} {d.day} {d:%b %Y}"


def format_value(f: Field, value: Any) -> str:
    """Show one answer the way a worker would write it."""
    if value is None or value == [] or value == "":
        return "—"
    if f.type == "date":
        return format_date(value)
    if f.type == "time":
        return time.fromisoformat(value).strftime("%H:%M")
    if f.type == "duration":
        return format_duration(int(value))
    if f.type in ("choice", "yesno"):
        return f.choice_label(value) if f.choices else str(value).capitalize()
    if f.type == "multichoice":
        return ", ".join(f.choice_label(v) for v in value)
    if f.type == "rating":
        return f"{value}/10"
    if f.type == "participant":
        parts = [value.get("name", "")]
        if value.get("age"):
            parts.append(f"age {value['age']}")
        if value.get("pronouns"):
            pron = next((s for s in f.fields if s.key == "pronouns"), None)
            parts.append(pron.choice_label(value["pronouns"]) if pron else value["pronouns"])
        return ", ".join(p for p in parts if p)
    if f.type == "group":
        return "\n".join(f"{i}. {format_item(f, item)}" for i, item in enumerate(value, 1))
    return str(value)


def format_item(f: Field, item: dict[str, Any]) -> str:
    """One repeating-group item on one line: 'Call the GP — Participant — due Mon 1 Dec 2026'."""
    out = []
    for sub in f.fields:
        v = item.get(sub.key)
        if v in (None, ""):
            continue
        text = format_value(sub, v)
        out.append(f"due {text}" if sub.type == "date" else text)
    return " — ".join(out)


def render_sections(
    template: Template, answers: dict[str, Any], applies: Any = None
) -> tuple[RenderedSection, ...]:
    """Every section with its answered fields; ``applies(field)`` hides fields that don't apply."""
    out = []
    for section in template.sections:
        lines = []
        shown = [f for f in section.fields if applies is None or applies(f)]
        for f in shown:
            if f.key in answers:
                lines.append((f.label, format_value(f, answers[f.key])))
        note = NOT_RECORDED if not shown else None
        out.append(RenderedSection(section.key, section.title, tuple(lines), note))
    return tuple(out)


def render_text(template: Template, answers: dict[str, Any], applies: Any = None) -> str:
    """The whole note as plain text, one block per section."""
    blocks = []
    for s in render_sections(template, answers, applies):
        body = [s.note] if s.note else [f"{label}: {value}" for label, value in s.lines]
        blocks.append("\n".join([s.title.upper(), *(body or ["—"])]))
    return "\n\n".join(blocks)
