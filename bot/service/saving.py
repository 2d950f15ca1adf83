"""A finished note becomes a stored one: the translation and the policy live here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.service import policy
from conversations.completion import FinishedNote
from conversations.template import Template
from storage.records import NewAction, NewNote, NewParticipant, WorkerRecord


def _pronoun_label(template: Template, value: str | None) -> str | None:
    """Store the words ('they/them'), not the template's token, so notes outlive templates."""
    if not value:
        return value
    for f in template.fields:
        if f.type == "participant":
            for sub in f.fields:
                if sub.key == "pronouns":
                    return sub.choice_label(value)
    return value


def to_new_note(
    worker: WorkerRecord,
    note: FinishedNote,
    template: Template,
    *,
    draft_id: str,
    draft_seq: int,
    now: datetime,
) -> NewNote:
    """Everything storage needs to keep ``note`` in one transaction."""
    person: dict[str, Any] = note.participant or {}
    known = person.get("id")
    new_person = None
    if person and not known:
        new_person = NewParticipant(
            name=person.get("name", ""),
            age=person.get("age"),
            pronouns=_pronoun_label(template, person.get("pronouns")),
        )
    return NewNote(
        worker_id=worker.id,
        template_id=note.template_id,
        template_version=note.template_version,
        content={"answers": note.answers, "consent_declined": note.consent_declined},
        session_start=note.session_start,
        duration_minutes=note.duration_minutes,
        participant_id=known,
        new_participant=new_person,
        actions=tuple(
            NewAction(
                a.what,
                a.who,
                a.due,
                policy.action_reminder(a.due, worker.timezone, now, worker.morning_minutes),
            )
            for a in note.actions
        ),
        reminders=policy.session_reminders(note.next_session_at, worker, now, bool(person)),
        reminder_text=policy.initials(person.get("name")) if person else None,
        draft_id=draft_id,
        draft_seq=draft_seq,
        late=policy.is_late(note.session_start, note.duration_minutes, now),
    )
