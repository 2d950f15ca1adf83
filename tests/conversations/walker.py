"""A tiny driver for the engine: say() types, tap() presses a button; both check the result."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from conversations.engine import Clock, Ctx, Input, Outcome, answer, start
from conversations.template import Choice, Template, get_template

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class Walker:
    def __init__(self, template: str | Template = "peer_support", ctx: Ctx | None = None) -> None:
        self.template = get_template(template) if isinstance(template, str) else template
        self.ctx = ctx or Ctx(Clock(NOW))
        self.out: Outcome = start(self.template, self.ctx)

    @property
    def draft(self) -> dict[str, Any]:
        return self.out.draft

    @property
    def key(self) -> str:
        return self.out.prompt.key if self.out.prompt else "review"

    def send(self, inp: Input) -> Outcome:
        before = json.dumps(self.out.draft, sort_keys=True)
        out = answer(self.template, self.out.draft, inp, self.ctx)
        json.loads(json.dumps(out.draft))
        if out.kind == "invalid":
            assert json.dumps(out.draft, sort_keys=True) == before, "invalid input changed draft"
        self.out = out
        return out

    def say(self, text: str) -> Outcome:
        return self.send(Input(text=text))

    def tap(self, token: str) -> Outcome:
        return self.send(Input(token=token))

    def button(self, label: str) -> Outcome:
        assert self.out.prompt is not None
        everything: tuple[Choice, ...] = self.out.prompt.choices + self.out.prompt.nav
        token = next(c.token for c in everything if c.label == label)
        return self.tap(token)


def fill_peer_support(w: Walker, consent: str = "yes") -> None:
    """Answer every peer_support question the way a worker would, up to the review."""
    w.say("yesterday 3pm")
    w.button("Keep")
    w.say("45m")
    w.button("One-to-one")
    w.say("Community centre")
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
