"""HTML for Telegram: every user-supplied string is escaped, long replies are split cleanly."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from conversations.engine import Prompt, ReviewView
from conversations.fields import format_duration
from conversations.template import Template
from storage.records import ActionRecord, NoteRecord

LIMIT = 4096


def esc(text: str) -> str:
    """Escape user text for Telegram HTML (quotes need no escaping outside attributes)."""
    return html.escape(text, quote=False)


def split_html(blocks: list[str], limit: int = LIMIT) -> list[str]:
    """Pack blocks into messages under the limit, breaking long blocks at line ends."""
    pieces: list[str] = []
    for block in blocks:
        while len(block) > limit:
            cut = block.rfind("\n", 0, limit)
            cut = cut if cut > 0 else block.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(block[:cut])
            block = block[cut:].lstrip("\n")
        pieces.append(block)
    out: list[str] = []
    for piece in pieces:
        if out and len(out[-1]) + 2 + len(piece) <= limit:
            out[-1] += "\n\n" + piece
        else:
            out.append(piece)
    return out or [""]


def prompt_html(prompt: Prompt) -> str:
    """One question: step, prompt, help, the current answer and any note."""
    lines = [f"<i>{esc(prompt.step)}</i>", f"<b>{esc(prompt.text)}</b>"]
    if prompt.help:
        lines.append(f"<i>{esc(prompt.help)}</i>")
    if prompt.current:
        lines.append(f"Current answer: {esc(prompt.current)}")
    if prompt.note:
        lines.append(f"✔️ {esc(prompt.note)}")
    return "\n".join(lines)


def review_blocks(review: ReviewView) -> list[str]:
    """The review as HTML blocks, one per section."""
    blocks = [f"<i>{esc(review.step)}</i>\n<b>Check the note, then save.</b>"]
    for s in review.sections:
        body = (
            [f"<i>{esc(s.note)}</i>"]
            if s.note
            else [f"{esc(label)}: {esc(value)}" for label, value in s.lines] or ["—"]
        )
        blocks.append("\n".join([f"<b>{esc(s.title)}</b>", *body]))
    if review.missing:
        blocks.append("⚠️ Still needed: " + esc(", ".join(review.missing)))
    return blocks


def ago(then: datetime, now: datetime) -> str:
    """'today', 'yesterday', '3 days ago', '5 weeks ago'."""
    days = (now.date() - then.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def when_html(note: NoteRecord, tz: str) -> str:
    """'Sun 22 Nov 2026, 15:00 · 45 min'."""
    if note.session_start is None:
        return "date not recorded"
    local = note.session_start.astimezone(ZoneInfo(tz))
    text = f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"
    if note.duration_minutes:
        text += f" · {format_duration(note.duration_minutes)}"
    return text


def last_session_html(
    name: str,
    note: NoteRecord,
    template: Template | None,
    open_actions: list[ActionRecord],
    tz: str,
    now: datetime,
) -> list[str]:
    """The 'what happened last time' card."""
    head = f"<b>Last session with {esc(name)}</b>\n{esc(when_html(note, tz))}"
    if note.session_start:
        head += (
            f" ({ago(note.session_start.astimezone(ZoneInfo(tz)), now.astimezone(ZoneInfo(tz)))})"
        )
    blocks = [head]
    answers: dict[str, Any] = note.content.get("answers", {})
    if note.content.get("consent_declined"):
        blocks.append(
            "<i>Consent to documentation was declined; only the session details were kept.</i>"
        )
    roles = template.roles if template else {}
    for role, title in (("concerns", "Concerns"), ("summary", "Summary")):
        value = answers.get(roles.get(role, role))
        if value:
            blocks.append(f"<b>{title}</b>\n{esc(str(value))}")
    if open_actions:
        items = "\n".join(
            f"• {esc(a.text)}" + (f" (due {a.due:%a} {a.due.day} {a.due:%b})" if a.due else "")
            for a in open_actions
        )
        blocks.append(f"<b>Open actions</b>\n{items}")
    else:
        blocks.append("<i>No open actions.</i>")
    return blocks


def initials(name: str) -> str:
    """'Alex Smith' -> 'A. S.' so the saved card does not repeat a full name."""
    return " ".join(f"{w[0].upper()}." for w in name.split()[:3]) or "?"


def saved_card(note: NoteRecord, participant_name: str | None, tz: str) -> str:
    """'Saved: A. · Sun 22 Nov · 45 min · 2 actions'."""
    parts = ["Saved: " + esc(initials(participant_name or ""))]
    if note.session_start:
        local = note.session_start.astimezone(ZoneInfo(tz))
        parts.append(f"{local:%a} {local.day} {local:%b}")
    if note.duration_minutes:
        parts.append(format_duration(note.duration_minutes))
    n = len(note.actions)
    parts.append(f"{n} action{'s' if n != 1 else ''}")
    if note.late:
        parts.append("late")
    return "✅ " + " · ".join(parts)
