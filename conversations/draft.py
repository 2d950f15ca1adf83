"""A note in progress as a typed value: the answers so far and where the worker is.

``to_json`` gives a plain dict that can be encrypted and stored; ``from_json`` reads it back,
and also reads the dicts stored before drafts were typed (keys "template", "version", ...).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cursor:
    """Where a draft is: a top-level field (and a sub-field inside it), or the review."""

    field: str | None = None
    sub: str | None = None
    review: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return a plain dict for storage."""
        return {"field": self.field, "sub": self.sub, "review": self.review}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Cursor:
        """Read a stored cursor; nothing (or no field) means the review."""
        if not data or data.get("review") or not data.get("field"):
            return cls(review=True)
        sub = data.get("sub")
        return cls(field=str(data["field"]), sub=str(sub) if sub else None)


@dataclass(frozen=True)
class NoteDraft:
    """Everything the engine needs to carry a note on: answers, cursor, history and buffer."""

    template_id: str
    template_version: int
    answers: Mapping[str, Any]
    cursor: Cursor
    history: tuple[Cursor, ...] = ()
    editing: str | None = None
    gaps: bool = False
    buffer: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return a plain JSON-serialisable dict (a deep copy, so changing it changes nothing)."""
        return {
            "template_id": self.template_id,
            "template_version": self.template_version,
            "answers": copy.deepcopy(dict(self.answers)),
            "cursor": self.cursor.to_json(),
            "history": [c.to_json() for c in self.history],
            "editing": self.editing,
            "gaps": self.gaps,
            "buffer": copy.deepcopy(dict(self.buffer)),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NoteDraft:
        """Read a stored draft, in today's format or the untyped one stored before it."""
        old = "template_id" not in data
        template_id = data.get("template" if old else "template_id")
        if not template_id:
            raise ValueError("a stored draft needs a template id")
        return cls(
            template_id=str(template_id),
            template_version=int(data.get("version" if old else "template_version") or 1),
            answers=copy.deepcopy(dict(data.get("answers") or {})),
            cursor=Cursor.from_json(data.get("cursor")),
            history=tuple(Cursor.from_json(c) for c in data.get("history") or ()),
            editing=data.get("editing") or None,
            gaps=bool(data.get("gaps")),
            buffer=copy.deepcopy(dict(data.get("buffer") or {})),
        )
