"""What handlers need, stored once in ``application.bot_data``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from telegram.ext import ContextTypes

from storage.service import Storage


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    storage: Storage
    default_timezone: str = "Europe/London"
    template_id: str = "peer_support"
    now: Callable[[], datetime] = field(default=_utcnow)


def deps(context: ContextTypes.DEFAULT_TYPE) -> Deps:
    """Return the application's dependencies."""
    value = context.application.bot_data["deps"]
    assert isinstance(value, Deps)
    return value
