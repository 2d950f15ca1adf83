"""What the use cases need, built once by the composition root and shared by every turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storage.records import WorkerRecord
from storage.service import Storage


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    storage: Storage
    default_timezone: str = "Europe/London"
    template_id: str = "peer_support"
    now: Callable[[], datetime] = field(default=_utcnow)


@dataclass(frozen=True)
class Turn:
    """One worker's one input: who, where, and which of their messages carried it.

    ``chat_id`` and ``message_id`` are the front end's addresses for the conversation and the
    worker's message (kept so tidy-up can remove it); the use cases only pass them through.
    """

    deps: Deps
    worker: WorkerRecord
    chat_id: int
    message_id: int | None = None
    #: When the worker sent it, by the front end's clock (to tell a double tap from typing).
    sent_at: datetime | None = None

    @property
    def now(self) -> datetime:
        return self.deps.now()

    @property
    def storage(self) -> Storage:
        return self.deps.storage
