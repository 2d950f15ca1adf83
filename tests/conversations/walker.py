"""A tiny driver for the engine: say() types, tap() presses a button; both check the result."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from conversations.completion import FinishedNote
from conversations.draft import NoteDraft
from conversations.engine import Clock, Ctx, Input, answer, start
from conversations.outcome import Asked, Finished, Outcome, Prompt, Refused, Reviewing, ReviewView
from conversations.template import Choice, Template, get_template

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def round_trip(draft: NoteDraft) -> NoteDraft:
    """Store and load a draft the way the bot does (JSON), checking nothing is lost."""
    restored = NoteDraft.from_json(json.loads(json.dumps(draft.to_json())))
    assert restored == draft, "draft changed on its way through JSON"
    return restored


class Walker:
    def __init__(self, template: str | Template = "peer_support", ctx: Ctx | None = None) -> None:
        self.template = get_template(template) if isinstance(template, str) else template
        self.ctx = ctx or Ctx(Clock(NOW))
        self.out: Outcome = start(self.template, self.ctx)
        self.sent = 0  # inputs sent: every tap or message a worker makes

    @property
    def draft(self) -> NoteDraft:
        return self.out.draft

    @property
    def prompt(self) -> Prompt | None:
        """The question on screen (after a refusal, the one shown again)."""
        if isinstance(self.out, Asked):
            return self.out.prompt
        if isinstance(self.out, Refused) and isinstance(self.out.screen, Prompt):
            return self.out.screen
        return None

    @property
    def review(self) -> ReviewView | None:
        if isinstance(self.out, Reviewing):
            return self.out.review
        if isinstance(self.out, Refused) and isinstance(self.out.screen, ReviewView):
            return self.out.screen
        return None

    @property
    def key(self) -> str:
        return self.prompt.key if self.prompt else "review"

    def send(self, inp: Input) -> Outcome:
        before = self.out.draft
        self.sent += 1
        out = answer(self.template, round_trip(before), inp, self.ctx)
        round_trip(out.draft)
        if isinstance(out, Refused):
            assert out.draft == before, "a refused input changed the draft"
        self.out = out
        return out

    def say(self, text: str) -> Outcome:
        return self.send(Input(text=text))

    def tap(self, token: str) -> Outcome:
        return self.send(Input(token=token))

    def button(self, label: str) -> Outcome:
        """Press the button labelled ``label`` on the question (or the review) on screen."""
        everything: tuple[Choice, ...]
        if self.prompt is not None:
            everything = self.prompt.choices + self.prompt.nav
        else:
            assert self.review is not None
            everything = self.review.actions
        token = next((c.token for c in everything if c.label == label), None)
        assert token is not None, f"no {label!r} among {[c.label for c in everything]}"
        return self.tap(token)

    def labels(self) -> list[str]:
        """The labels of the buttons on screen, choices first."""
        if self.prompt is not None:
            return [c.label for c in self.prompt.choices + self.prompt.nav]
        return [c.label for c in self.review.actions] if self.review else []

    def nav(self) -> list[str]:
        """The navigation tokens of the question on screen."""
        return [c.token for c in self.prompt.nav] if self.prompt else []


def reason(out: Outcome) -> str:
    """Why an input was refused ('' when it was taken)."""
    return out.reason if isinstance(out, Refused) else ""


def save(w: Walker) -> FinishedNote:
    """Tap Save note and return the finished note (failing if it did not finish)."""
    out = w.tap("nav:save")
    assert isinstance(out, Finished), out
    return out.note


def fill_peer_support(w: Walker, consent: str = "yes") -> None:
    """Answer every peer_support question the way a worker would, up to the review."""
    fill_session(w)
    w.say("Community centre")
    fill_after_location(w, consent)


def fill_session(w: Walker) -> None:
    """Answer the session questions up to (not including) the location."""
    w.say("yesterday 3pm")  # answers the start time too, so it is not asked
    w.say("45m")
    w.button("One-to-one")


def fill_after_location(w: Walker, consent: str = "yes") -> None:
    """Answer from the participant question on, up to the review."""
    w.say("Alex")
    w.say("34")
    w.button("they/them")
    w.say(consent)
    if consent == "no":
        return
    w.button("Anxiety")
    w.button("Housing")
    w.button("Done")
    w.say("Worried about an eviction notice")
    w.say("Talked through the letter from the landlord.")
    w.say("Agreed to contact the council housing team.")
    w.button("Done")
    w.button("Anxious")
    w.button("Done")
    w.button("Skip")
    w.button("6")
    w.say("Call the council housing team")
    w.button("Participant")
    w.say("friday")
    w.button("Add one")
    w.say("Send leaflet on tenants' rights")
    w.button("Peer worker")
    w.button("Skip")
    w.button("Done")
    w.say("next tuesday")
    w.say("2pm")
    w.say("How the council call went")
