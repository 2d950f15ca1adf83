"""The finished note: answers filtered by consent, plus the facts storage needs as values."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from conversations.fields import Clock
from conversations.rules import applies, declined
from conversations.template import Template


@dataclass(frozen=True)
class CompletedAction:
    """One agreed action of a finished note."""

    what: str
    who: str
    due: date | None


@dataclass(frozen=True)
class FinishedNote:
    """A note the worker saved, ready for storage."""

    template_id: str
    template_version: int
    answers: dict[str, Any]
    consent_declined: bool
    session_start: datetime | None
    duration_minutes: int | None
    participant: dict[str, Any] | None
    actions: tuple[CompletedAction, ...]
    next_session_at: datetime | None


def _local(day: str | None, at: str | None, tz: str) -> datetime | None:
    if not day:
        return None
    moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(at or "09:00"))
    return moment.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def kept_answers(template: Template, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a note keeps: those that apply, and with consent declined, of a new
    participant only what identifies them to their worker (no personal details)."""
    kept = {
        f.key: copy.deepcopy(answers[f.key])
        for f in template.fields
        if f.key in answers and applies(template, f, answers)
    }
    role = template.roles.get("participant", "")
    participant = kept.get(role)
    if declined(template, answers) and participant and participant.get("id") is None:
        kept[role] = {"id": None, "name": participant.get("name", "")}
    return kept


def complete(template: Template, answers: Mapping[str, Any], clock: Clock) -> FinishedNote:
    """Build the note to store; with consent declined only the kept fields survive."""
    kept = kept_answers(template, answers)
    roles = template.roles
    actions = tuple(
        CompletedAction(
            what=item.get("what") or "",
            who=item.get("who") or "",
            due=date.fromisoformat(item["due"]) if item.get("due") else None,
        )
        for item in kept.get(roles.get("actions", "")) or []
    )
    duration = kept.get(roles.get("duration", ""))
    return FinishedNote(
        template_id=template.id,
        template_version=template.version,
        answers=kept,
        consent_declined=declined(template, answers),
        session_start=_local(
            kept.get(roles.get("session_date", "")),
            kept.get(roles.get("start_time", "")),
            clock.timezone,
        ),
        duration_minutes=int(duration) if duration is not None else None,
        participant=kept.get(roles.get("participant", "")),
        actions=actions,
        next_session_at=_local(
            kept.get(roles.get("next_date", "")),
            kept.get(roles.get("next_time", "")),
            clock.timezone,
        ),
    )
