"""Issue 8, buttons that stay put: navigation order, one Back per screen, list items changed
or removed with a confirmation, one field edited from the review, declined consent, and the
age-and-pronouns question."""

from __future__ import annotations

import pytest

from conversations.draft import Cursor, NoteDraft
from conversations.engine import resume
from conversations.outcome import Asked, Prompt, Reviewing
from conversations.screens import NAV_ORDER
from conversations.template import get_template, template_for
from tests.conversations.walker import Walker, fill_peer_support, reason, save


class Watcher(Walker):
    """A walker that keeps every question it was shown."""

    def __init__(self) -> None:
        self.seen: list[Prompt] = []
        super().__init__()
        self._keep()

    def _keep(self) -> None:
        if self.prompt is not None:
            self.seen.append(self.prompt)

    def send(self, inp):  # type: ignore[no-untyped-def]
        out = super().send(inp)
        self._keep()
        return out


def test_navigation_is_always_in_the_same_order() -> None:
    w = Watcher()
    fill_peer_support(w)
    w.tap("edit:actions")
    w.tap("item:remove:1")
    w.tap("nav:back")
    w.tap("item:edit:1")
    w.tap("nav:back")
    assert len(w.seen) > 30
    for p in w.seen:
        tokens = [c.token for c in p.nav]
        assert tokens == [t for t in NAV_ORDER if t in tokens], (p.key, tokens)
        assert tokens[-1] == "nav:cancel"
        assert not ({"nav:skip", "nav:keep"} <= set(tokens)), "Skip and Keep share one place"
        assert all(c.token.startswith("nav:") for c in p.nav)
    lists = [p for p in w.seen if p.key == "actions" and "Remove" not in p.text]
    navs = [[c.token for c in p.nav] for p in lists]
    # Done stays next to Cancel's left, Finish between them when offered (not when the list
    # is edited on its own from the review), and Remove is never one of them.
    assert navs and all(t[: t.index("nav:done")] == ["nav:back"] for t in navs)
    assert navs[0] == ["nav:back", "nav:done", "nav:finish", "nav:cancel"]
    assert navs[-1] == ["nav:back", "nav:done", "nav:cancel"]
    assert all("nav:undo" not in [c.token for c in p.choices] for p in lists)


def at_consent() -> Walker:
    w = Walker()
    w.say("yesterday 3pm")
    w.say("45")
    w.tap("c:video")
    w.tap("nav:skip")
    w.say("Alex")
    w.say("34")
    w.tap("c:they_them")
    assert w.key == "consent"
    return w


def test_back_from_consent_goes_to_the_participant_once() -> None:
    w = at_consent()
    w.tap("nav:back")
    assert w.key == "participant" and w.prompt is not None
    assert w.prompt.current == "Alex, age 34, they/them"
    w.tap("nav:back")
    assert w.key == "location"
    w.tap("nav:back")
    w.tap("nav:back")
    assert w.key == "duration"
    w.tap("nav:back")
    assert w.key == "date", "the start time came with the date, so Back passes over it"


def test_back_inside_a_new_participant_goes_one_question_at_a_time() -> None:
    w = Walker()
    w.say("yesterday 3pm")
    w.say("45")
    w.tap("c:video")
    w.tap("nav:skip")
    w.say("Alex")
    w.say("34")
    assert w.key == "participant.pronouns"
    w.tap("nav:back")
    assert w.key == "participant.age" and w.prompt is not None and w.prompt.current == "34"
    w.tap("nav:keep")
    assert w.key == "participant.pronouns"
    w.tap("c:other")
    assert w.prompt is not None and w.prompt.text == "What pronouns should I use for them?"
    w.tap("nav:back")
    assert w.key == "participant.age"
    w.tap("nav:back")
    assert w.key == "participant" and w.draft.buffer == {}


@pytest.mark.parametrize(
    ("steps", "age", "pronouns"),
    [
        (["29, they/them"], 29, "they/them"),
        (["they/them, 29"], 29, "they/them"),
        (["29 she/they"], 29, "she/they"),
        (["xe/xem 40"], 40, "xe/xem"),
        (["She/Her"], None, "she/her"),
        (["she"], None, "she"),
        (["tap:c:he_him"], None, "he/him"),
        (["tap:nav:skip"], None, None),
        (["34", "tap:c:they_them"], 34, "they/them"),
        (["34", "xe/xem"], 34, "xe/xem"),
        (["34", "tap:nav:skip"], 34, None),
        (["34, other", "ze/hir"], 34, "ze/hir"),
        (["tap:c:other", "fae/faer"], None, "fae/faer"),
        (["other", "any pronouns"], None, "any pronouns"),
        (["tap:c:other", "tap:nav:skip"], None, None),
    ],
)
def test_age_and_pronouns_are_one_question(
    steps: list[str], age: int | None, pronouns: str | None
) -> None:
    w = Walker()
    w.say("yesterday 3pm")
    w.say("45")
    w.tap("c:video")
    w.tap("nav:skip")
    w.say("Sam")
    for step in steps:
        w.tap(step[4:]) if step.startswith("tap:") else w.say(step)
    assert w.key == "consent"
    assert w.draft.answers["participant"] == {
        "id": None,
        "name": "Sam",
        "age": age,
        "pronouns": pronouns,
    }


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("banana", "their age, their pronouns, or both"),
        ("7", "from 12 to 120"),
        ("29, she/her, extra", "their age, their pronouns, or both"),
        ("7, she/her", "from 12 to 120"),
    ],
)
def test_an_unreadable_age_and_pronouns_says_what_to_send(typed: str, why: str) -> None:
    w = Walker()
    w.say("today 9am")
    w.say("45")
    w.tap("c:video")
    w.tap("nav:skip")
    w.say("Sam")
    assert why in reason(w.say(typed))
    assert "other" not in w.draft.buffer and w.key == "participant.age"


def test_other_pronouns_must_be_said() -> None:
    w = Walker()
    w.say("today 9am")
    w.say("45")
    w.tap("c:video")
    w.tap("nav:skip")
    w.say("Sam")
    w.tap("c:other")
    assert "type the pronouns" in reason(w.say("Other"))
    assert "no earlier answer" in reason(w.tap("nav:keep"))


def at_actions() -> Walker:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:actions")
    assert w.prompt is not None
    assert [c.label for c in w.prompt.choices] == [
        "Add one",
        "Change 1",
        "Remove 1",
        "Change 2",
        "Remove 2",
    ]
    return w


def test_any_item_can_be_changed_keeping_the_rest() -> None:
    w = at_actions()
    w.tap("item:edit:1")
    assert w.key == "actions.what" and w.prompt is not None
    assert w.prompt.current == "Call the council housing team"
    w.tap("nav:keep")
    w.tap("c:both")
    assert w.prompt is not None and w.prompt.current == "Fri 27 Nov 2026"
    w.tap("nav:keep")
    assert w.key == "actions" and w.prompt is not None
    assert w.prompt.remark == "Changed: Call the council housing team — Both — due Fri 27 Nov 2026"
    w.tap("nav:done")
    actions = save(w).actions
    assert [(a.what, a.who) for a in actions] == [
        ("Call the council housing team", "both"),
        ("Send leaflet on tenants' rights", "worker"),
    ]


def test_back_while_changing_an_item_leaves_it_as_it_was() -> None:
    w = at_actions()
    w.tap("item:edit:2")
    w.say("Something else")
    w.tap("nav:back")
    w.tap("nav:back")
    assert w.key == "actions"
    assert w.draft.answers["actions"][1]["what"] == "Send leaflet on tenants' rights"


def test_removing_an_item_asks_first() -> None:
    w = at_actions()
    w.tap("item:remove:1")
    assert w.prompt is not None and [c.token for c in w.prompt.nav] == ["nav:back", "nav:cancel"]
    assert "Tap Yes, remove it" in reason(w.say("yes please"))
    w.tap("nav:back")
    assert len(w.draft.answers["actions"]) == 2 and w.draft.buffer == {}
    w.tap("item:remove:1")
    w.tap("confirm")
    assert [a["what"] for a in w.draft.answers["actions"]] == ["Send leaflet on tenants' rights"]
    assert "expired" in reason(w.tap("item:remove:2"))
    assert "expired" in reason(w.tap("item:edit:0"))
    assert "expired" in reason(w.tap("confirm"))


def test_an_old_remove_last_button_still_works() -> None:
    w = at_actions()
    w.tap("nav:undo")
    assert len(w.draft.answers["actions"]) == 1


def test_editing_one_field_from_the_review_edits_only_that() -> None:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:duration")
    assert w.key == "duration" and "nav:finish" not in w.nav()
    w.say("1h15")
    assert isinstance(w.out, Reviewing)
    w.tap("edit:start_time")
    w.tap("nav:back")
    assert isinstance(w.out, Reviewing), "Back from a field edited from the review returns there"
    w.tap("edit:date")
    w.say("yesterday 4pm")
    assert isinstance(w.out, Reviewing) and w.draft.answers["start_time"] == "16:00"
    note = save(w)
    assert note.duration_minutes == 75


def test_an_old_section_button_still_edits_the_section() -> None:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:next")
    assert w.key == "next_date"
    w.tap("nav:keep")
    assert w.key == "next_time"
    w.tap("nav:finish")
    assert isinstance(w.out, Reviewing)


def test_review_buttons_are_short_unique_and_one_per_field() -> None:
    w = Walker()
    fill_peer_support(w)
    assert w.review is not None
    labels = [c.label.removeprefix("Edit ") for c in w.review.actions[:-1]]
    assert len(set(labels)) == len(labels) and max(map(len, labels)) <= 18
    assert labels[:3] == ["Date", "Start time", "Duration"]
    assert "Session summary" in labels and "Consent" in labels
    assert w.review.actions[-1].token == "nav:save"


def test_declining_consent_says_what_is_kept_and_the_review_shows_only_that() -> None:
    w = at_consent()
    assert w.prompt is not None and w.prompt.help == (
        "If No: only the date, start time, duration and participant's name or code are kept, "
        "and nothing else is asked."
    )
    w.say("no")
    assert w.review is not None
    shown = {s.key: dict(s.lines) for s in w.review.sections}
    assert shown["participant"] == {"Participant": "Alex"}, "no age or pronouns without consent"
    assert "summary" not in shown and "actions" not in shown
    assert "nothing to edit" in reason(w.tap("edit:summary"))
    assert "nothing to edit" in reason(w.tap("edit:observations"))
    w.tap("edit:consent")
    w.say("yes")
    assert w.review is not None and "Summary" in w.review.missing
    shown = {s.key: dict(s.lines) for s in w.review.sections}
    assert shown["participant"] == {"Participant": "Alex, age 34, they/them"}


def test_a_draft_begun_under_version_1_finishes_under_it() -> None:
    old = NoteDraft.from_json(
        {
            "template": "peer_support",
            "version": 1,
            "answers": {"date": "2026-11-22", "start_time": "15:00"},
            "cursor": {"field": "participant", "sub": "pronouns"},
            "history": [
                {"field": "date"},
                {"field": "start_time"},
                {"field": "participant"},
                {"field": "participant", "sub": "age"},
            ],
            "editing": "details",
            "buffer": {"item": {"name": "Sam", "age": 30}},
        }
    )
    template = template_for(old)
    assert template.version == 1
    w = Walker(template)
    w.out = resume(template, old, w.ctx)
    assert isinstance(w.out, Asked) and w.out.prompt.step == "Question 8 of 18 · Participant"
    w.tap("c:they_them")
    assert w.draft.answers["participant"]["pronouns"] == "they_them"
    assert isinstance(w.out, Reviewing), "the old edit of the details section ends at the review"
    w.tap("nav:back")
    assert w.key == "participant"
    w.tap("nav:back")
    assert w.key == "start_time"


def test_edit_tokens_for_other_shapes_are_refused() -> None:
    template = get_template("peer_support")
    w = Walker()
    fill_peer_support(w)
    for token in ("edit:", "edit:nope", "item:edit:1", "confirm", "nav:finish"):
        assert reason(w.tap(token)), token
    draft = NoteDraft("peer_support", 2, {}, Cursor("actions"), buffer={"remove": 5})
    out = resume(template, draft, w.ctx)
    assert isinstance(out, Asked) and "Remove this one?" in out.prompt.text
