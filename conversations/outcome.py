"""What the engine returns: one small type per kind of outcome, each carrying the new draft."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.completion import FinishedNote
from conversations.draft import NoteDraft
from conversations.render import RenderedSection
from conversations.template import Choice


@dataclass(frozen=True)
class Prompt:
    """One question: its text, buttons and the current answer; ``remark`` acknowledges input.

    ``step`` says where it is ('Question 3 of 14 · Session details'): ``number`` of ``total``
    questions that apply given the answers so far. ``nav`` is always in the same order
    (Back, Skip, Keep, Done, Finish, Cancel), whichever of them this question offers.
    ``field_type`` is the type of field asked, or "age_pronouns" (an age and pronouns in one
    answer) or "multichoice_text" (tags that also take the concerns typed).
    """

    key: str
    text: str
    help: str
    step: str
    choices: tuple[Choice, ...]
    nav: tuple[Choice, ...]
    selected: tuple[str, ...] = ()
    current: str | None = None
    remark: str | None = None
    multi: bool = False
    field_type: str = "text"
    number: int = 0
    total: int = 0
    #: A few answers this question takes ("2:30pm, 14:30, half 2"), '' when it has none.
    examples: str = ""


@dataclass(frozen=True)
class ReviewView:
    """The whole note so far, with a button per field to edit ('edit:<key>') and Save."""

    step: str
    sections: tuple[RenderedSection, ...]
    actions: tuple[Choice, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Asked:
    """The input was taken (or nothing was sent); ask this question next."""

    draft: NoteDraft
    prompt: Prompt


@dataclass(frozen=True)
class Reviewing:
    """Every question is answered; show the review."""

    draft: NoteDraft
    review: ReviewView


@dataclass(frozen=True)
class Refused:
    """The input was not taken; ``draft`` is the draft as it was, ``screen`` what to show again."""

    draft: NoteDraft
    reason: str
    screen: Prompt | ReviewView


@dataclass(frozen=True)
class Finished:
    """The worker saved the note; ``note`` is what to store."""

    draft: NoteDraft
    note: FinishedNote


@dataclass(frozen=True)
class CancelAsked:
    """The worker asked to cancel; the caller confirms before discarding the draft."""

    draft: NoteDraft


Outcome = Asked | Reviewing | Refused | Finished | CancelAsked
