"""Random sequences of text, tokens and commands never make the engine raise or corrupt a draft."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.draft import NoteDraft
from conversations.engine import Ctx, Input, answer, resume, show
from conversations.outcome import Asked, CancelAsked, Finished, Refused, Reviewing
from conversations.screens import NAV_ORDER
from conversations.template import Choice
from tests.conversations.walker import Walker

TOKENS = [
    "nav:back",
    "nav:skip",
    "nav:done",
    "nav:keep",
    "nav:save",
    "nav:add",
    "nav:undo",
    "c:today",
    "c:yes",
    "c:no",
    "c:45",
    "c:one_to_one",
    "c:anxiety",
    "c:6",
    "c:participant",
    "c:they_them",
    "c:bogus",
    "p:new",
    "p:aa11",
    "p:forged",
    "p:cc33",
    "c:replace",
    "edit:details",
    "edit:consent",
    "edit:actions",
    "edit:nope",
    "nav:finish",
    "item:edit:1",
    "item:edit:2",
    "item:remove:1",
    "item:remove:3",
    "confirm",
    "c:just_now",
    "c:just_now:2026-11-23:1400:45",
    "c:just_now:2026-11-23:1600:45",
    "c:other",
    "c:he_him",
    "c:housing",
    "edit:duration",
    "edit:summary",
    "edit:concern_tags",
    "edit:participant",
]
TEXTS = [
    "today",
    "yesterday 3pm",
    "2pm",
    "45",
    "1h15",
    "Alex",
    "34",
    "yes",
    "no",
    "friday",
    "<b>&amp;</b>",
    "x" * 4000,
    "x" * 1700,
    "Al\u200bex",
    "\u200b\ufeff",
    "",
    "   ",
    "/back",
    "/skip",
    "/done",
    "mood, 8",
    "13/13",
    "just now",
    "29, they/them",
    "xe/xem",
    "other",
    "Thursday at 3pm",
    "yesterday 3pm",
]
inputs = st.one_of(
    st.sampled_from(TOKENS).map(lambda t: Input(token=t)),
    st.sampled_from(TEXTS).map(lambda t: Input(text=t)),
    st.text(max_size=60).map(lambda t: Input(text=t)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    template=st.sampled_from(["peer_support", "soap", "birp"]),
    steps=st.lists(inputs, max_size=60),
)
def test_engine_never_raises_and_drafts_round_trip(template: str, steps: list[Input]) -> None:
    w = Walker(template)
    same = (Choice("p:cc33", "Alex · last seen Sun 22 Nov"),)
    ctx = Ctx(w.ctx.clock, participants=(Choice("p:aa11", "Alex"),), same_name=same)
    draft = w.draft
    for inp in steps:
        out = answer(w.template, draft, inp, ctx)
        stored = json.loads(json.dumps(out.draft.to_json()))
        restored = NoteDraft.from_json(stored)
        assert restored == out.draft
        if isinstance(out, Refused):
            assert out.draft == draft and out.reason
        if isinstance(out, Finished | CancelAsked):
            break
        assert isinstance(out, Asked | Reviewing | Refused)
        screen = out.prompt if isinstance(out, Asked) else None
        if screen is not None:
            tokens = [c.token for c in screen.nav]
            assert tokens == [t for t in NAV_ORDER if t in tokens]
            assert 1 <= screen.number <= screen.total
        draft = restored
        again = resume(w.template, draft, ctx)
        assert isinstance(again, Asked | Reviewing)
        assert show(w.template, draft, ctx) == again
