"""The open draft as the use cases see it: the engine's draft plus what the worker was shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conversations.draft import NoteDraft
from storage.records import DraftRecord


@dataclass(frozen=True)
class OpenDraft:
    """A stored draft, decoded. ``shown`` maps the option labels on screen to their tokens;
    ``before`` lists the labels of the screen before (to spot a double tap); ``pending`` holds
    messages that arrived while the note was paused, to be used when the worker resumes."""

    record: DraftRecord
    note: NoteDraft
    shown: dict[str, str] = field(default_factory=dict)
    before: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    #: When the message behind the last accepted answer was sent (front end's clock).
    answered_at: datetime | None = None

    @classmethod
    def of(cls, record: DraftRecord) -> OpenDraft:
        """Decode a stored draft (including ones stored by earlier versions)."""
        state = record.state
        shown = state.get("shown")
        answered = state.get("answered_at")
        return cls(
            record=record,
            note=NoteDraft.from_json(state["engine"]),
            shown=dict(shown) if isinstance(shown, dict) else {},
            before=tuple(state.get("before") or ()),
            pending=tuple(state.get("pending") or ()),
            answered_at=datetime.fromisoformat(answered) if answered else None,
        )

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def seq(self) -> int:
        return self.record.seq

    @property
    def tag(self) -> str:
        """A short id for buttons: enough to tell this draft from the worker's previous ones."""
        return self.record.id[:8]


def draft_state(
    note: NoteDraft,
    shown: dict[str, str],
    before: tuple[str, ...] = (),
    pending: tuple[str, ...] = (),
    answered_at: datetime | None = None,
) -> dict[str, Any]:
    """What is stored (encrypted) for a draft."""
    return {
        "engine": note.to_json(),
        "shown": shown,
        "before": list(before),
        "pending": list(pending),
        "answered_at": answered_at.isoformat() if answered_at else None,
    }
