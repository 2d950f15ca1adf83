"""Nothing typed is lost: long-text edits add, Back keeps, same names are asked about."""

from __future__ import annotations

import pytest

from conversations.draft import Cursor, NoteDraft
from conversations.engine import Clock, Ctx, Input, answer, show, wants_participants
from conversations.longtext import ADDING, REPLACING
from conversations.outcome import Asked, Prompt, Refused
from conversations.template import Choice, get_template
from tests.conversations.walker import NOW, Walker, fill_peer_support, reason, save

SUMMARY = (
    "Talked through the letter from the landlord.\n\nAgreed to contact the council housing team."
)


def at_summary_edit() -> Walker:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:summary")
    assert w.key == "summary"
    return w


def run(w: Walker, steps: list[str]) -> None:
    """'tap:<token>' presses a button; anything else is typed."""
    for step in steps:
        w.tap(step.removeprefix("tap:")) if step.startswith("tap:") else w.say(step)


@pytest.mark.parametrize(
    ("steps", "summary"),
    [
        (["More on rent.", "tap:nav:done"], SUMMARY + "\n\nMore on rent."),
        (["One.", "Two.", "tap:nav:done"], SUMMARY + "\n\nOne.\n\nTwo."),
        (["tap:c:replace", "All new.", "tap:nav:done"], "All new."),
        (
            ["Sent first.", "tap:c:replace", "Then this.", "tap:nav:done"],
            "Sent first.\n\nThen this.",
        ),
        (["tap:nav:keep"], SUMMARY),
        (["tap:nav:done"], SUMMARY),
        (["tap:c:replace", "tap:nav:done"], SUMMARY),
        (["tap:c:replace", "tap:nav:keep"], SUMMARY),
        (["More on rent.", "tap:nav:back"], SUMMARY + "\n\nMore on rent."),
        (["tap:c:replace", "All new.", "tap:nav:back"], "All new."),
    ],
)
def test_editing_a_long_text_adds_unless_replaced(steps: list[str], summary: str) -> None:
    w = at_summary_edit()
    run(w, steps)
    assert w.review is not None, "editing one section returns to the review"
    assert save(w).answers["summary"] == summary


def test_long_text_prompt_says_whether_it_adds_or_replaces() -> None:
    w = at_summary_edit()
    assert w.prompt is not None and w.prompt.remark == ADDING
    assert ("c:replace", "Replace it") in [(c.token, c.label) for c in w.prompt.choices]
    assert "nav:keep" in [c.token for c in w.prompt.nav]
    w.say("More.")
    assert w.prompt is not None and w.prompt.remark == (
        "Got it (5 characters so far, to add to the current text). Send more, or tap Done."
    )
    assert "nav:keep" not in [c.token for c in w.prompt.nav]
    assert "expired" in reason(w.tap("nav:keep")), "a stale Keep must not drop what was sent"
    w.tap("c:replace")
    assert w.prompt is not None and "to replace the current text" in (w.prompt.remark or "")
    assert "c:replace" not in [c.token for c in w.prompt.choices]
    w = at_summary_edit()
    w.tap("c:replace")
    assert w.prompt is not None and w.prompt.remark == REPLACING


def test_a_first_long_text_offers_no_replace() -> None:
    w = Walker()
    walk_to(w, "summary")
    assert w.prompt is not None and w.prompt.choices == () and w.prompt.remark is None
    assert "expired" in reason(w.tap("c:replace"))
    w.say("Fresh.")
    assert w.prompt is not None
    assert w.prompt.remark == "Got it (6 characters so far). Send more, or tap Done."


def test_adding_over_the_limit_suggests_replacing() -> None:
    w = at_summary_edit()
    out = w.say("x" * 3450)
    assert "would make 3,541 characters; the limit here is 3,500" in reason(out)
    assert "tap Replace it" in reason(out)
    w.tap("c:replace")
    w.say("x" * 3450)
    w.tap("nav:done")
    assert save(w).answers["summary"] == "x" * 3450


def walk_to(w: Walker, key: str) -> None:
    """Answer the first questions of a peer_support note until ``key`` is asked."""
    answers = {
        "date": "today",
        "start_time": "noon",
        "duration": "30",
        "session_type": "Group",
        "location": "tap:nav:skip",
        "participant": "Alex",
        "participant.age": "tap:nav:skip",
        "participant.pronouns": "tap:nav:skip",
        "consent": "yes",
        "concern_tags": "tap:nav:done",
        "concerns": "Money worries",
    }
    for _ in answers:
        if w.key == key:
            return
        run(w, [answers[w.key]])
    assert w.key == key, f"stuck at {w.key}"


def test_back_from_a_long_text_keeps_the_parts_sent() -> None:
    w = Walker()
    walk_to(w, "summary")
    w.say("Part one.")
    w.say("Part two.")
    w.tap("nav:back")
    assert w.key == "concerns"
    assert w.draft.answers["summary"] == "Part one.\n\nPart two."
    w.tap("nav:keep")
    assert w.key == "summary" and w.prompt is not None
    assert w.prompt.current == "Part one.\n\nPart two." and w.prompt.remark == ADDING
    w.say("Part three.")
    w.tap("nav:done")
    assert w.draft.answers["summary"] == "Part one.\n\nPart two.\n\nPart three."


@pytest.mark.parametrize(
    ("taps", "kept"),
    [
        (["c:anxiety", "c:mood"], ["anxiety", "mood"]),
        (["c:mood", "c:anxiety"], ["anxiety", "mood"]),
        (["c:mood", "c:mood"], None),
        ([], None),
    ],
)
def test_back_from_a_multichoice_keeps_the_ticks(taps: list[str], kept: list[str] | None) -> None:
    w = Walker()
    walk_to(w, "concern_tags")
    for token in taps:
        w.tap(token)
    w.tap("nav:back")
    assert w.key == "consent"
    assert w.draft.answers.get("concern_tags") == kept
    w.tap("nav:keep")
    assert w.prompt is not None and w.prompt.selected == tuple(kept or ())


RECENT = (Choice("p:aa11", "Alex"), Choice("p:bb22", "Jo"))
SAM = Choice("p:cc33", "Sam · last seen Sun 22 Nov")


def at_participant(
    same: tuple[Choice, ...] = (SAM,), recent: tuple[Choice, ...] = RECENT
) -> Walker:
    w = Walker(ctx=Ctx(Clock(NOW), participants=recent, same_name=same))
    walk_to(w, "participant")
    return w


def test_a_typed_name_that_exists_asks_before_adding_someone() -> None:
    w = at_participant()
    out = w.say("sam")
    assert isinstance(out, Asked) and out.prompt.key == "participant"
    assert out.prompt.text == "Is this the same sam as before?"
    assert out.prompt.choices == (SAM, Choice("p:new", "No, someone new"))
    assert out.prompt.field_type == "participant"
    assert "participant" not in out.draft.answers
    assert out.draft.buffer["typed"] == "sam"


def test_same_person_tapped_files_them_under_their_name() -> None:
    w = at_participant()
    w.say("sam")
    w.tap("p:cc33")
    assert w.key == "consent"
    assert w.draft.answers["participant"] == {"id": "cc33", "name": "Sam"}
    assert w.draft.buffer == {}


def test_someone_new_keeps_the_typed_name_and_asks_the_rest() -> None:
    w = at_participant()
    w.say("Sam")
    w.tap("p:new")
    assert w.key == "participant.age"
    w.say("30")
    w.tap("nav:skip")
    assert w.draft.answers["participant"] == {
        "id": None,
        "name": "Sam",
        "age": 30,
        "pronouns": None,
    }


@pytest.mark.parametrize("token", ["p:aa11", "p:forged", "c:yes", "nav:skip", "nav:done"])
def test_only_the_offered_people_can_be_picked(token: str) -> None:
    w = at_participant()
    w.say("Sam")
    before = w.draft
    out = w.tap(token)
    assert isinstance(out, Refused) and "expired" in out.reason and out.draft == before


def test_typing_another_name_instead_starts_over_with_that_name() -> None:
    w = at_participant()
    w.say("Sam")
    w.ctx = Ctx(w.ctx.clock, participants=RECENT)  # nobody else is called Robin
    w.say("Robin")
    assert w.key == "participant.age"
    w.tap("nav:skip")
    w.tap("nav:skip")
    assert w.draft.answers["participant"]["name"] == "Robin"


def test_back_from_same_person_returns_to_who_it_was_with() -> None:
    w = at_participant()
    w.say("Sam")
    w.tap("nav:back")
    assert w.key == "participant" and w.prompt is not None
    assert w.prompt.text == "Who was the session with?" and w.draft.buffer == {}
    assert [c.token for c in w.prompt.choices] == ["p:aa11", "p:bb22", "p:new"]


@pytest.mark.parametrize(
    ("recent", "same", "typed", "asks", "filed"),
    [
        # One recent person of that name and nobody else: pick them, as before.
        (RECENT, (), " alex ", None, {"id": "aa11", "name": "Alex"}),
        (
            RECENT,
            (Choice("p:aa11", "Alex · last seen Sun 22 Nov"),),
            "Alex",
            None,
            {"id": "aa11", "name": "Alex"},
        ),
        # Another Alex beyond the recent ones: ask.
        (
            RECENT,
            (Choice("p:ee55", "Alex · last seen Mon 2 Mar"),),
            "Alex",
            ["p:ee55", "p:aa11"],
            None,
        ),
        # Two recent Alexes: ask which.
        (
            (Choice("p:aa11", "Alex"), Choice("p:dd44", "Alex")),
            (),
            "alex",
            ["p:aa11", "p:dd44"],
            None,
        ),
        # Nobody of that name: a new participant, straight to their age.
        (RECENT, (), "Robin", None, None),
    ],
)
def test_typed_names_pick_ask_or_add(
    recent: tuple[Choice, ...],
    same: tuple[Choice, ...],
    typed: str,
    asks: list[str] | None,
    filed: dict[str, str] | None,
) -> None:
    w = at_participant(same, recent)
    w.say(typed)
    if asks is not None:
        assert w.prompt is not None and [c.token for c in w.prompt.choices] == [*asks, "p:new"]
    elif filed is not None:
        assert w.key == "consent" and w.draft.answers["participant"] == filed
    else:
        assert w.key == "participant.age"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Al\u200bex", "Alex"),
        ("\ufeffSam\u2066", "Sam"),
        ("Jo\u200d", "Jo"),
        ("Ro\u00adbin", "Robin"),
        ("Zoë 🧑\u200d🎓", "Zoë 🧑🎓"),
    ],
)
def test_invisible_characters_are_dropped_from_names(typed: str, name: str) -> None:
    for how in ("typed", "after someone new"):
        w = at_participant(same=(), recent=())
        if how == "typed":
            w.say(typed)
        else:
            w.tap("p:new")
            w.say(typed)
        assert w.key == "participant.age"
        w.tap("nav:skip")
        w.tap("nav:skip")
        assert w.draft.answers["participant"]["name"] == name


def test_a_name_of_only_invisible_characters_is_refused() -> None:
    w = at_participant(same=(), recent=())
    assert "type a name" in reason(w.say("\u200b\ufeff"))
    w.tap("p:new")
    assert "type something" in reason(w.say("\u200b"))


def test_an_invisible_character_still_matches_a_recent_name() -> None:
    w = at_participant(same=())
    w.say("J\u200bo")
    assert w.draft.answers["participant"] == {"id": "bb22", "name": "Jo"}


def test_long_texts_keep_invisible_characters() -> None:
    w = Walker()
    walk_to(w, "summary")
    w.say("Family 👨\u200d👩\u200d👧 visit")
    w.tap("nav:done")
    assert w.draft.answers["summary"] == "Family 👨\u200d👩\u200d👧 visit"


@pytest.mark.parametrize(
    ("cursor", "wanted", "field_type"),
    [
        (Cursor("date"), False, "date"),
        (Cursor("duration"), False, "duration"),
        (Cursor("participant"), True, "participant"),
        (Cursor("participant", "age"), False, "age_pronouns"),
        (Cursor("participant", "pronouns"), False, "pronouns"),
        (Cursor("concern_tags"), False, "multichoice_text"),
        (Cursor("emotional_state"), False, "multichoice"),
        (Cursor("summary"), False, "longtext"),
        (Cursor("actions"), False, "group"),
        (Cursor("actions", "what"), False, "text"),
        (Cursor("actions", "due"), False, "date"),
        (Cursor(review=True), False, None),
    ],
)
def test_where_participants_are_wanted_and_what_type_is_asked(
    cursor: Cursor, wanted: bool, field_type: str | None
) -> None:
    template = get_template("peer_support")
    draft = NoteDraft("peer_support", 1, {}, cursor)
    assert wants_participants(template, draft) is wanted
    out = show(template, draft, Walker().ctx)
    shown = out.prompt.field_type if isinstance(out, Asked) else None
    assert shown == field_type


def test_a_refused_input_hands_back_the_very_same_draft() -> None:
    w = Walker()
    draft = w.draft
    out = answer(w.template, draft, Input(token="c:bogus"), w.ctx)
    assert isinstance(out, Refused) and out.draft is draft
    assert isinstance(out.screen, Prompt) and out.screen.key == "date"
