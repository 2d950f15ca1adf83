"""What a step handler is given (Ctx) and what it hands back (StepResult, PromptParts)."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.fields import Clock
from conversations.template import Choice

STALE = "That button has expired. Please use the latest message."
USUAL_DURATION = 45


@dataclass(frozen=True)
class Ctx:
    """What the engine knows beyond the draft: the clock and the worker's participants.

    ``participants`` are the recent ones, offered as buttons; ``same_name`` are all of the
    worker's participants whose name matches the text just typed, to ask before adding a twin.
    Both are needed only where ``engine.wants_participants`` says so. ``usual_duration`` is
    how long the worker's sessions usually last, in minutes, for the "Just now" answer to the
    first question (None: USUAL_DURATION).
    """

    clock: Clock
    participants: tuple[Choice, ...] = ()
    same_name: tuple[Choice, ...] = ()
    usual_duration: int | None = None


@dataclass(frozen=True)
class PromptParts:
    """A question as a step handler describes it; the engine adds the step and navigation."""

    key: str
    text: str
    help: str
    choices: tuple[Choice, ...]
    selected: tuple[str, ...] = ()
    current: str | None = None
    remark: str | None = None
    multi: bool = False
    allow_done: bool = False
    allow_keep: bool = False
    allow_skip: bool = False
    field_type: str = "text"


@dataclass
class StepResult:
    """Where to go after an accepted input: on (default), stay here, or into a sub-field.

    ``filled`` names later questions this input answered too ('yesterday 3pm' answers the
    start time): going on skips them.
    """

    stay: bool = False
    stay_sub: str | None = None
    remark: str | None = None
    filled: tuple[str, ...] = ()
