"""SQLAlchemy 2 models. Every ``*_enc`` column holds a sealed value (see crypto.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import expression

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base for all casenotes tables."""


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True, index=True)
    display_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    role: Mapped[str] = mapped_column(String(16), default="worker")
    team: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    date_order: Mapped[str] = mapped_column(String(3), default="DMY")
    tidy_chat: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Reminder settings: the local time (minutes after midnight) for action and day-before
    #: reminders, which next-session reminders to send, the daily digest (None: off), and how
    #: much a reminder's first message shows on a lock screen ("private" or "initials").
    morning_minutes: Mapped[int] = mapped_column(Integer, default=540, server_default="540")
    session_day_before: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=expression.true()
    )
    session_hour_before: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=expression.true()
    )
    digest_minutes: Mapped[int | None] = mapped_column(Integer)
    lock_screen: Mapped[str] = mapped_column(
        String(16), default="private", server_default="private"
    )
    #: When Telegram last said this worker blocked the bot; reminders stop until they are back.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The template for this worker's new notes; None follows the organisation's default.
    template_id: Mapped[str | None] = mapped_column(String(64))
    #: Minutes before a card shown on request (last session, full note, history) is tidied
    #: away when tidy-up is on.
    card_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    #: Manages workers and teams. Reading notes comes from ``role`` alone: an admin reads a
    #: team's notes only if they are also that team's supervisor.
    is_admin: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=expression.false()
    )


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id"))


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(64))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    age_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    pronouns_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    name_index: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: False until every word of the name is in participant_words (set on insert; rows from
    #: before the word index are indexed at start-up, when the key ring is at hand).
    words_indexed: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=expression.false()
    )


class ParticipantWord(Base):
    """One word of a participant's name as a blind index, so 'Alex' finds 'Alex Smith'."""

    __tablename__ = "participant_words"
    __table_args__ = (Index("ix_participant_words_lookup", "worker_id", "word_index"),)

    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    word_index: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))


class Note(Base):
    """A saved note is locked: ``content_hash`` (a keyed hash of its plaintext) and
    ``completed_at`` are written once, and corrections are addenda, never updates."""

    __tablename__ = "notes"
    #: A participant's notes in session order, with their ids: finding the latest note, or the
    #: note ids behind a participant's open actions, walks this index alone.
    __table_args__ = (
        Index(
            "ix_notes_person_latest",
            "participant_id",
            "worker_id",
            "session_start",
            "created_at",
            "id",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    session_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    template_id: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[int] = mapped_column(Integer)
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="complete")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class Addendum(Base):
    """A dated correction or addition under a locked note, with its author and reason."""

    __tablename__ = "addenda"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    #: Sealed JSON: {"reason": ..., "text": ...}.
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PendingAddendum(Base):
    """An addendum being written: which note, and the reason once given (one per worker)."""

    __tablename__ = "pending_addenda"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), unique=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"))
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CardMessage(Base):
    """A message of a card shown on request; Close or the tidy sweep deletes it.
    Telegram message ids are not sensitive."""

    __tablename__ = "card_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(String(32), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    #: When to delete it; None keeps it until Close (tidy-up off).
    delete_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class Draft(Base):
    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), unique=True)
    state_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # The step number: every change is a compare-and-set on it, so two taps cannot both win.
    seq: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DraftMessage(Base):
    """A chat message a draft produced, to delete when it ends.

    No foreign key to drafts: the rows outlive a saved or discarded draft so a failed tidy-up
    can be retried. Telegram message ids are not sensitive.
    """

    __tablename__ = "draft_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(String(32), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Action(Base):
    __tablename__ = "actions"
    #: By note, then open or done: a participant's open actions are found from their notes'
    #: ids without reading the actions already done.
    __table_args__ = (Index("ix_actions_note_open", "note_id", "done"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    who: Mapped[str] = mapped_column(String(32))
    due: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reminder(Base):
    """One message to send at ``due_at``. The table is the truth: a sweep claims due rows
    (``claimed_by`` holds the claim's token, ``retry_at`` its lease or a failed send's backoff),
    sends them and marks them sent, so restarts and several instances send each exactly once.
    ``cancelled`` also closes a row that was answered for good (done, didn't happen)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_queue", "sent_at", "cancelled", "due_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    ref_id: Mapped[str | None] = mapped_column(String(32), index=True)
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The moment the reminder is about (a session's start), for its text and for /today.
    subject_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set under the claim just before the Bot API call: a row left so after its lease may
    #: have arrived (a crash, a shutdown) and counts as sent, never sent twice.
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The kind of the last failure (e.g. "RetryAfter"), never its message.
    last_error: Mapped[str | None] = mapped_column(String(32))
    #: Rows made by the sweep or a button carry a key, so two instances (or two taps) make one.
    dedupe: Mapped[str | None] = mapped_column(String(80), index=True, unique=True)


class SendPace(Base):
    """The next free sending slot, shared by every instance so together they keep the rate."""

    __tablename__ = "send_pace"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Seconds since the epoch (a float, so one portable UPDATE can move it atomically).
    next_slot: Mapped[float] = mapped_column(Float)


class AuditEvent(Base):
    """Who did what to which record, and when; never content. Entries form a chain: each
    holds the keyed hash of the one before (by ``seq``), so an edited, deleted or reordered
    past entry breaks it (see storage/audit_chain.py)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_seq", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    worker_id: Mapped[int | None] = mapped_column(Integer)
    #: Who acted when it was not a worker in the bot (e.g. "cli:alice", the operator's login).
    actor: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(48))
    ref_id: Mapped[str | None] = mapped_column(String(32))
    #: The participant the record belongs to, so one person's trail can be listed.
    participant_id: Mapped[str | None] = mapped_column(String(32), index=True)
    #: Position in the chain (1, 2, ...), its predecessor's hash and its own.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last position and hash: one row, updated in the same transaction as each
    append, so concurrent appends (several instances) queue on its row lock."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class Review(Base):
    """A supervisor's verdict on a note: "reviewed" or "needs_revision" with a comment.
    A revision is answered by the note's worker with an addendum."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_worker_open", "worker_id", "status", "answered_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"), index=True)
    #: The note's worker (whom the review is for) and the supervisor who wrote it.
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    comment_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the worker answered a revision with an addendum, and which one.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    addendum_id: Mapped[str | None] = mapped_column(String(32))


class PendingReview(Base):
    """A "needs revision" a supervisor tapped and is writing the comment for (one each)."""

    __tablename__ = "pending_reviews"

    reviewer_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Meta(Base):
    """Small facts about the data itself (e.g. whether every value is bound to its owner)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class KeyCanary(Base):
    """One sealed known value: opening it at start-up proves the key file fits this database."""

    __tablename__ = "key_canary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_enc: Mapped[bytes] = mapped_column(LargeBinary)


#: Every sealed column, for rotation and the plaintext scan tests: (model, column names).
SEALED_COLUMNS: list[tuple[type[Base], tuple[str, ...]]] = [
    (Worker, ("display_name_enc",)),
    (Participant, ("name_enc", "age_enc", "pronouns_enc")),
    (Note, ("content_enc",)),
    (Addendum, ("body_enc",)),
    (PendingAddendum, ("reason_enc",)),
    (Draft, ("state_enc",)),
    (Action, ("text_enc",)),
    (Reminder, ("text_enc",)),
    (Review, ("comment_enc",)),
    (KeyCanary, ("value_enc",)),
]


def aad_row_id(row: Base) -> object:
    """Return the value that binds a row's ciphertexts (workers use their Telegram id)."""
    return row.telegram_user_id if isinstance(row, Worker) else row.id  # type: ignore[attr-defined]


#: The column holding the owning worker of each table whose values are bound to their owner
#: (crypto format 2): re-pointing such a row at another worker makes its values fail to open.
#: A review is bound to the note's worker, not to the supervisor who wrote it.
OWNER_COLUMNS: dict[type[Base], str] = {
    Participant: "worker_id",
    Note: "worker_id",
    Addendum: "worker_id",
    PendingAddendum: "worker_id",
    Draft: "worker_id",
    Action: "worker_id",
    Reminder: "worker_id",
    Review: "worker_id",
}


def bound_to(row: Base, column: str) -> tuple[str, int | None]:
    """Return what a sealed column's value is bound to: its associated data and its owner
    (None for the unbound tables: workers, key canary)."""
    owner_column = OWNER_COLUMNS.get(type(row))
    owner = None if owner_column is None else getattr(row, owner_column)
    return f"{row.__tablename__}.{column}.{aad_row_id(row)}", owner
