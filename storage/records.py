"""Plain, frozen values handed out by the repositories; never live ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class WorkerRecord:
    id: int
    telegram_user_id: int
    display_name: str
    role: str
    team: str | None
    timezone: str
    date_order: str
    tidy_chat: bool
    active: bool


@dataclass(frozen=True)
class InviteRecord:
    code: str
    role: str
    team: str | None
    expires_at: datetime


@dataclass(frozen=True)
class ParticipantRecord:
    id: str
    worker_id: int
    name: str
    age: int | None
    pronouns: str | None
    last_session_at: datetime | None


@dataclass(frozen=True)
class ActionRecord:
    id: str
    note_id: str
    text: str
    who: str
    due: date | None
    done: bool


@dataclass(frozen=True)
class NoteRecord:
    id: str
    participant_id: str | None
    worker_id: int
    session_start: datetime | None
    duration_minutes: int | None
    template_id: str
    template_version: int
    content: dict[str, Any]
    status: str
    created_at: datetime
    completed_at: datetime | None
    late: bool
    actions: tuple[ActionRecord, ...] = field(default=())


@dataclass(frozen=True)
class DraftRecord:
    id: str
    worker_id: int
    #: The step number: bumped by every advance, so a stale button or a double tap is refused.
    seq: int
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class TidyBatch:
    """Chat messages of a finished draft that still wait to be deleted from one chat."""

    draft_id: str
    worker_id: int
    chat_id: int
    message_ids: tuple[int, ...]
    oldest: datetime


@dataclass(frozen=True)
class ReminderRecord:
    id: str
    kind: str
    worker_id: int
    ref_id: str | None
    text: str | None
    due_at: datetime
    sent_at: datetime | None
    cancelled: bool


@dataclass(frozen=True)
class NewAction:
    """An agreed action as it arrives from a completed note."""

    text: str
    who: str
    due: date | None
    #: When to remind about it (UTC), chosen by the caller; None for no reminder.
    remind_at: datetime | None = None


@dataclass(frozen=True)
class NewParticipant:
    """A participant first met while writing a note."""

    name: str
    age: int | None = None
    pronouns: str | None = None


@dataclass(frozen=True)
class NewNote:
    """Everything needed to store a completed note in one transaction."""

    worker_id: int
    template_id: str
    template_version: int
    content: dict[str, Any]
    session_start: datetime | None
    duration_minutes: int | None
    participant_id: str | None = None
    new_participant: NewParticipant | None = None
    actions: tuple[NewAction, ...] = ()
    #: UTC times at which to remind the worker about the next session.
    next_session_reminders: tuple[datetime, ...] = ()
    #: The draft this note finishes; it is deleted in the same transaction.
    draft_id: str | None = None
    #: The draft's step number as the caller saw it; a different one means a stale "Save".
    draft_seq: int | None = None
    #: Written later than the caller's policy allows (the caller decides).
    late: bool = False
