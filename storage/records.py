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
    #: Local time for action and day-before reminders, in minutes after midnight.
    morning_minutes: int = 540
    session_day_before: bool = True
    session_hour_before: bool = True
    #: Local time of the daily digest in minutes after midnight; None when it is off.
    digest_minutes: int | None = None
    #: What a reminder's first message shows: "private" (nothing) or "initials".
    lock_screen: str = "private"
    #: When Telegram last said this worker blocked the bot; None once they are back.
    blocked_at: datetime | None = None
    #: The template for new notes; None follows the organisation's default.
    template_id: str | None = None
    #: Minutes before a card shown on request is tidied away (when tidy-up is on).
    card_minutes: int = 10
    #: Since when the worker is writing an addendum (their next typed message is for it).
    addendum_since: datetime | None = None
    #: Manages workers and teams (reading a team's notes needs role "supervisor" as well).
    is_admin: bool = False


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
    #: Whole years, or a band kept as typed ("20s", "early 20s").
    age: int | str | None
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
    #: Keyed hash of the content as saved (None for notes from before notes were locked).
    content_hash: str | None = None


@dataclass(frozen=True)
class AddendumRecord:
    """A dated correction or addition under a locked note."""

    id: str
    note_id: str
    worker_id: int
    author: str
    reason: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class SessionLine:
    """One row of a participant's history."""

    note_id: str
    session_start: datetime | None
    duration_minutes: int | None
    late: bool
    completed_at: datetime | None
    addenda: int
    #: The note's content, for a one-line summary (decrypted: a page holds a handful).
    content: dict[str, Any] = field(default_factory=dict)
    template_id: str = ""
    template_version: int = 0


@dataclass(frozen=True)
class Page:
    """One page of a longer list: ``items``, and whether there is more on either side."""

    items: tuple[Any, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class CardBatch:
    """The messages of one card shown on request, in one chat."""

    card_id: str
    worker_id: int
    chat_id: int
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class PendingAddendumRecord:
    """An addendum being written: the note, and the reason once the worker gave it."""

    worker_id: int
    note_id: str
    reason: str | None
    created_at: datetime


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


class Kind:
    """What a reminder is about; ``ref_id`` names the row it refers to."""

    ACTION = "action_due"  # ref: the action
    SESSION_DAY = "session_day"  # ref: the note that planned the session
    SESSION_SOON = "session_soon"  # ref: the note that planned the session
    MISSING_NOTE = "missing_note"  # ref: the note that planned the session
    DRAFT_IDLE = "draft_idle"  # ref: the draft
    DRAFT_LATE = "draft_late"  # ref: the draft
    DIGEST = "digest"  # no ref
    NOTE_REVIEWED = "note_reviewed"  # ref: the review (to the note's worker)
    REVISION_ASKED = "revision_asked"  # ref: the review (to the note's worker)
    REVISION_ANSWERED = "revision_answered"  # ref: the review (to its supervisor)

    SESSIONS = (SESSION_DAY, SESSION_SOON, MISSING_NOTE)
    DRAFTS = (DRAFT_IDLE, DRAFT_LATE)
    REVIEWS = (NOTE_REVIEWED, REVISION_ASKED, REVISION_ANSWERED)


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
    #: The moment the reminder is about (a session's start), if any.
    subject_at: datetime | None = None
    #: How many times it was claimed for sending (1 on the first try).
    attempts: int = 0
    #: The claim's token while an instance is sending it.
    claimed_by: str | None = None


@dataclass(frozen=True)
class NewReminder:
    """A reminder to schedule; times are UTC and chosen by the caller's policy."""

    kind: str
    due_at: datetime
    ref_id: str | None = None
    subject_at: datetime | None = None
    text: str | None = None
    #: A key that makes a second insert of the same reminder a no-op.
    dedupe: str | None = None


@dataclass(frozen=True)
class DraftHead:
    """A draft's identity and times, read without decrypting it."""

    id: str
    worker_id: int
    seq: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class OpenAction:
    """An agreed action with what a list needs: its note's session and participant."""

    action: ActionRecord
    worker_id: int
    session_start: datetime | None
    participant_id: str | None
    participant_name: str | None


@dataclass(frozen=True)
class PlannedSession:
    """A next session planned in a note, from its reminder rows."""

    note_id: str
    start: datetime
    participant_id: str | None
    #: The text sealed into its reminders (the participant's initials), if any.
    label: str | None
    #: The planning note's session length, used as the planned length.
    duration_minutes: int | None


@dataclass(frozen=True)
class IdleDraft:
    """A draft left alone, and whether its first nudge was already made."""

    draft: DraftHead
    nudged: bool


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
    age: int | str | None = None
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
    #: Reminders about this note (next session, missing note); their ref is the note.
    reminders: tuple[NewReminder, ...] = ()
    #: Sealed into every reminder row of this note (e.g. the participant's initials).
    reminder_text: str | None = None
    #: The draft this note finishes; it is deleted in the same transaction.
    draft_id: str | None = None
    #: The draft's step number as the caller saw it; a different one means a stale "Save".
    draft_seq: int | None = None
    #: Written later than the caller's policy allows (the caller decides).
    late: bool = False
