"""What a use case returns: what to show, which options to offer, what to tidy away.

Front ends render these; nothing here knows how (HTML, keyboards, a terminal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.exports.document import NoteView
from conversations.outcome import Prompt, ReviewView
from conversations.template import Template
from storage.records import ActionRecord, NoteRecord, ParticipantRecord

#: Rows of option labels; the worker answers by sending one of them (a reply keyboard).
Options = tuple[tuple[str, ...], ...]

#: The one answer to a stale, forged or unknown button, wherever it was pressed.
EXPIRED = "That button has expired."
NEW_NOTE = "📝 New note"
LAST_SESSION = "🔎 Last session"
MENU: Options = ((NEW_NOTE, LAST_SESSION),)


@dataclass(frozen=True)
class Button:
    """A button attached to one message; ``data`` comes back when it is pressed."""

    label: str
    data: str


@dataclass(frozen=True)
class Notice:
    """Plain text (the renderer escapes it), with an optional bold title."""

    text: str
    title: str | None = None


@dataclass(frozen=True)
class Question:
    prompt: Prompt
    warning: str | None = None


@dataclass(frozen=True)
class Review:
    review: ReviewView
    warning: str | None = None


@dataclass(frozen=True)
class SavedCard:
    note: NoteRecord
    participant_name: str | None
    timezone: str


@dataclass(frozen=True)
class LastSession:
    name: str
    note: NoteRecord
    template: Template | None
    open_actions: tuple[ActionRecord, ...]
    timezone: str
    now: datetime
    #: The next session planned in that note, if it is still ahead.
    next_session: datetime | None = None


@dataclass(frozen=True)
class People:
    """A list of participants to pick from (each a button)."""

    title: str
    people: tuple[ParticipantRecord, ...]
    timezone: str


@dataclass(frozen=True)
class FullNote:
    """A saved note, every section as saved, with its addenda."""

    name: str
    view: NoteView


@dataclass(frozen=True)
class HistoryLine:
    when: str  # 'Sun 22 Nov 2026 · 45 min'
    marks: tuple[str, ...]  # ('late', '1 addendum')
    gist: str | None  # the first line of the summary


@dataclass(frozen=True)
class History:
    """One page of a participant's sessions, newest first."""

    name: str
    lines: tuple[HistoryLine, ...]
    page: int
    pages: int
    total: int


Screen = Notice | Question | Review | SavedCard | LastSession | People | FullNote | History


@dataclass(frozen=True)
class Attachment:
    """A file to send (built in memory, never written to disk)."""

    filename: str
    content: bytes
    caption: str | None = None


@dataclass(frozen=True)
class Tidy:
    """A finished draft's recorded messages (plus ``message_ids``) to delete, best effort."""

    draft_id: str
    message_ids: tuple[int, ...] = ()
    #: False when tidy-up is off or too late: only forget the recorded messages.
    delete: bool = True


@dataclass(frozen=True)
class Reply:
    """Everything one turn shows. ``options`` (None: leave as is, (): remove) and ``buttons``
    go on the last screen; ``remember`` names the draft whose messages these are."""

    screens: tuple[Screen, ...] = ()
    options: Options | None = None
    placeholder: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    toast: str | None = None
    tidy: Tidy | None = None
    remember: str | None = None
    #: A card shown on request: its messages (and the worker's request) are recorded
    #: together, so its Close button or the tidy-up sweep can delete them.
    card: bool = False
    #: Replace the message whose button was pressed (paging) rather than send a new one.
    edit: bool = False
    document: Attachment | None = None
    photo: Attachment | None = None


def notice(text: str, **kw: object) -> Reply:
    """A one-line reply."""
    return Reply(screens=(Notice(text),), **kw)  # type: ignore[arg-type]
