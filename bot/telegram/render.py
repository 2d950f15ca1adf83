"""Screens as Telegram HTML, options as keyboards. Every string from a worker is escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.exports.document import CONSENT_DECLINED
from bot.service import policy
from bot.service.calendar import next_session_of
from bot.service.policy import initials
from bot.service.replies import (
    FullNote,
    History,
    LastSession,
    Notice,
    People,
    Question,
    Reply,
    Review,
    SavedCard,
    Screen,
)
from bot.telegram.html import esc, split_html
from conversations.fields import format_duration
from conversations.outcome import Prompt, ReviewView
from storage.records import NoteRecord

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def prompt_html(prompt: Prompt, warning: str | None = None) -> str:
    """One question: step, question, help, the current answer and any remark."""
    lines = [f"⚠️ {esc(warning)}"] if warning else []
    lines += [f"<i>{esc(prompt.step)}</i>", f"<b>{esc(prompt.text)}</b>"]
    if prompt.help:
        lines.append(f"<i>{esc(prompt.help)}</i>")
    if prompt.current:
        lines.append(f"Current answer: {esc(prompt.current)}")
    if prompt.remark:
        lines.append(f"✔️ {esc(prompt.remark)}")
    return "\n".join(lines)


def review_blocks(review: ReviewView, warning: str | None = None) -> list[str]:
    """The review as HTML blocks, one per section."""
    head = f"<i>{esc(review.step)}</i>\n<b>Check the note, then save.</b>"
    blocks = [f"⚠️ {esc(warning)}\n{head}" if warning else head]
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


def when_text(note: NoteRecord, tz: str) -> str:
    """'Sun 22 Nov 2026, 15:00 · 45 min'."""
    if note.session_start is None:
        return "date not recorded"
    local = note.session_start.astimezone(ZoneInfo(tz))
    text = f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"
    if note.duration_minutes:
        text += f" · {format_duration(note.duration_minutes)}"
    return text


def last_session_blocks(card: LastSession) -> list[str]:
    """The 'what happened last time' card."""
    note, tz = card.note, card.timezone
    head = f"<b>Last session with {esc(card.name)}</b>\n{esc(when_text(note, tz))}"
    if note.session_start:
        zone = ZoneInfo(tz)
        head += f" ({ago(note.session_start.astimezone(zone), card.now.astimezone(zone))})"
    late = policy.late_text(note)
    if late:
        head += f"\n<i>Late: {esc(late)}.</i>"
    blocks = [head]
    answers: dict[str, Any] = note.content.get("answers", {})
    if note.content.get("consent_declined"):
        blocks.append(
            "<i>Consent to documentation was declined; only the session details were kept.</i>"
        )
    roles = card.template.roles if card.template else {}
    for role, title in (("concerns", "Concerns"), ("summary", "Summary")):
        value = answers.get(roles.get(role, role))
        if value:
            blocks.append(f"<b>{title}</b>\n{esc(str(value))}")
    if card.next_session is not None:
        local = card.next_session.astimezone(ZoneInfo(tz))
        blocks.append(f"<b>Next session</b>\n{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}")
    if card.open_actions:
        items = "\n".join(
            f"• {esc(a.text)}" + (f" (due {a.due:%a} {a.due.day} {a.due:%b})" if a.due else "")
            for a in card.open_actions
        )
        blocks.append(f"<b>Open actions</b>\n{items}")
    else:
        blocks.append("<i>No open actions.</i>")
    return blocks


def saved_card(card: SavedCard) -> str:
    """'Saved: A. · Sun 22 Nov · 45 min · 2 actions'."""
    note = card.note
    parts = ["Saved: " + esc(initials(card.participant_name or ""))]
    if note.session_start:
        local = note.session_start.astimezone(ZoneInfo(card.timezone))
        parts.append(f"{local:%a} {local.day} {local:%b}")
    if note.duration_minutes:
        parts.append(format_duration(note.duration_minutes))
    n = len(note.actions)
    parts.append(f"{n} action{'s' if n != 1 else ''}")
    late = policy.late_text(note)
    if late:
        parts.append(f"late: {late}")
    text = "✅ " + " · ".join(parts)
    # A tappable command rather than a button: the card already carries the menu keyboard.
    planned = next_session_of(note, card.timezone)
    if planned is not None:
        local = planned.astimezone(ZoneInfo(card.timezone))
        text += f"\n📅 Next session {local:%a} {local.day} {local:%b}, {local:%H:%M}: /calendar"
    return text


#: Addenda shown in full on a full-note card (the export holds them all).
ADDENDA_SHOWN = 3


def full_note_blocks(screen: FullNote) -> list[str]:
    """A saved note as saved: heading and facts, every section, then any addenda."""
    view = screen.view
    facts = "\n".join(f"<i>{esc(label)}: {esc(value)}</i>" for label, value in view.facts)
    blocks = [f"<b>Case note: {esc(screen.name)}</b>\n{esc(view.heading)}\n{facts}"]
    if view.consent_declined:
        blocks.append(f"<i>{esc(CONSENT_DECLINED)}</i>")
    for s in view.sections:
        body = (
            [f"<i>{esc(s.note)}</i>"]
            if s.note
            else [f"{esc(label)}: {esc(value)}" for label, value in s.lines] or ["—"]
        )
        blocks.append("\n".join([f"<b>{esc(s.title)}</b>", *body]))
    shown = view.addenda[-ADDENDA_SHOWN:]
    earlier = view.addenda[: len(view.addenda) - len(shown)]
    if earlier:  # a chat card stays short; the export holds every addendum in full
        listed = "\n".join(f"• {esc(a.when)} · {esc(a.author)} · {esc(a.reason)}" for a in earlier)
        blocks.append(
            f"<b>{len(earlier)} earlier addend{'um' if len(earlier) == 1 else 'a'}</b> "
            f"(export the note to read them)\n{listed}"
        )
    for a in shown:
        blocks.append(
            f"<b>Addendum</b> · {esc(a.when)} · {esc(a.author)}\n"
            f"<i>Reason: {esc(a.reason)}</i>\n{esc(a.text)}"
        )
    return blocks


def history_html(screen: History) -> str:
    """One page of sessions: date, duration, marks and the summary's first words."""
    head = f"<b>Sessions with {esc(screen.name)}</b> ({screen.total})"
    if screen.pages > 1:
        head += f", page {screen.page + 1} of {screen.pages}"
    lines = [head]
    for line in screen.lines:
        marks = "".join(f" · <i>{esc(m)}</i>" for m in line.marks)
        lines.append(f"\n• {esc(line.when)}{marks}")
        if line.gist:
            lines.append(f"  {esc(line.gist)}")
    return "\n".join(lines)


def people_html(screen: People) -> str:
    return esc(screen.title)


def screen_blocks(screen: Screen) -> list[str]:
    """HTML blocks for one screen."""
    if isinstance(screen, Notice):
        body = esc(screen.text)
        return [f"<b>{esc(screen.title)}</b>\n{body}" if screen.title else body]
    if isinstance(screen, Question):
        return [prompt_html(screen.prompt, screen.warning)]
    if isinstance(screen, Review):
        return review_blocks(screen.review, screen.warning)
    if isinstance(screen, SavedCard):
        return [saved_card(screen)]
    if isinstance(screen, LastSession):
        return last_session_blocks(screen)
    if isinstance(screen, FullNote):
        return full_note_blocks(screen)
    if isinstance(screen, History):
        return [history_html(screen)]
    return [people_html(screen)]


def markup(reply: Reply) -> Markup | None:
    """The keyboard for the last message: inline buttons, reply options, or removal."""
    if reply.buttons:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                for row in reply.buttons
            ]
        )
    if reply.options is None:
        return None
    if not reply.options:
        return ReplyKeyboardRemove()
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in reply.options],
        resize_keyboard=True,
        one_time_keyboard=reply.placeholder is not None,
        is_persistent=reply.placeholder is None,
        input_field_placeholder=(reply.placeholder or "")[:64] or None,
    )


def messages(reply: Reply) -> list[str]:
    """The reply as messages under Telegram's length limit, breaking cleanly."""
    blocks = [b for s in reply.screens for b in screen_blocks(s)]
    return split_html(blocks) if blocks else []
