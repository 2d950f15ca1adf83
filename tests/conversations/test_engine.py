"""The engine end to end: navigation, branches, groups, review, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from conversations.engine import Clock, Ctx, resume
from conversations.outcome import Asked, CancelAsked, Refused, Reviewing
from conversations.template import Choice
from tests.conversations.walker import NOW, Walker, fill_peer_support, fill_session, reason, save


def test_full_peer_support_note() -> None:
    w = Walker()
    assert w.prompt is not None and w.prompt.step == "Question 1 of 15 · Session details"
    fill_peer_support(w)
    assert isinstance(w.out, Reviewing)
    review = w.review
    assert review is not None and review.missing == ()
    assert review.step == "Review"
    titles = [s.title for s in review.sections]
    assert titles[:3] == ["Session details", "Participant", "Consent"]
    lines = dict(review.sections[0].lines)
    assert lines == {
        "Date": "Sun 22 Nov 2026",
        "Start time": "15:00",
        "Duration": "45 min",
        "Type": "One-to-one",
        "Location": "Community centre",
    }
    note = save(w)
    assert note.session_start == datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    assert note.duration_minutes == 45
    assert note.participant == {"id": None, "name": "Alex", "age": 34, "pronouns": "they/them"}
    assert [(a.what, a.who, a.due) for a in note.actions] == [
        ("Call the council housing team", "participant", date(2026, 11, 27)),
        ("Send leaflet on tenants' rights", "worker", None),
    ]
    assert note.next_session_at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert note.answers["summary"] == (
        "Talked through the letter from the landlord.\n\n"
        "Agreed to contact the council housing team."
    )
    assert note.answers["concern_tags"] == ["anxiety", "housing"]
    assert not note.consent_declined


def test_consent_declined_keeps_only_session_facts() -> None:
    w = Walker()
    fill_peer_support(w, consent="no")
    assert isinstance(w.out, Reviewing)
    review = w.review
    assert review is not None
    by_key = {s.key: s for s in review.sections}
    assert list(by_key) == ["details", "participant", "consent", "not_recorded"]
    assert by_key["not_recorded"].note == (
        "Consent to documentation was declined, so presenting concerns, session summary, "
        "observations, agreed actions and next steps are not recorded."
    )
    assert [a.token for a in review.actions] == [
        "edit:date",
        "edit:start_time",
        "edit:duration",
        "edit:participant",
        "edit:consent",
        "nav:save",
    ]
    assert dict(by_key["details"].lines) == {
        "Date": "Sun 22 Nov 2026",
        "Start time": "15:00",
        "Duration": "45 min",
    }
    note = save(w)
    assert note.consent_declined
    assert set(note.answers) == {"date", "start_time", "duration", "participant", "consent"}
    assert note.participant == {"id": None, "name": "Alex"}
    assert note.actions == ()


def test_back_returns_to_previous_question_keeping_answers() -> None:
    w = Walker()
    w.say("today")
    w.say("2pm")
    assert w.key == "duration"
    w.tap("nav:back")
    assert w.key == "start_time"
    assert w.prompt is not None and w.prompt.current == "14:00"
    w.button("Keep")
    assert w.key == "duration"
    w.tap("nav:back")
    w.tap("nav:back")
    assert w.key == "date"
    out = w.tap("nav:back")
    assert isinstance(out, Refused) and "first question" in out.reason


def test_skip_only_for_optional_fields() -> None:
    w = Walker()
    out = w.tap("nav:skip")
    assert isinstance(out, Refused) and "needs an answer" in out.reason
    w.say("today")
    w.say("9am")
    w.say("1h")
    w.button("Phone")
    assert w.key == "location"
    w.tap("nav:skip")
    assert w.key == "participant"
    assert w.draft.answers["location"] is None


def test_edit_from_review_returns_to_review() -> None:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:details")
    assert w.key == "date"
    w.button("Keep")
    w.button("Keep")
    w.say("1h15")
    w.button("Keep")
    w.button("Keep")
    assert isinstance(w.out, Reviewing)
    review = w.review
    assert review is not None and dict(review.sections[0].lines)["Duration"] == "1h 15min"


def test_changing_consent_to_yes_asks_what_is_now_missing() -> None:
    w = Walker()
    fill_peer_support(w, consent="no")
    w.tap("edit:consent")
    w.say("yes")
    assert isinstance(w.out, Reviewing)
    assert "Summary" in w.out.review.missing
    w.tap("nav:save")
    assert isinstance(w.out, Asked) and w.key == "concern_tags"
    assert "Still needed: Concerns, Summary" in (w.out.prompt.remark or "")


def test_cancel_from_anywhere() -> None:
    w = Walker()
    w.say("today")
    before = w.draft
    out = w.tap("nav:cancel")
    assert isinstance(out, CancelAsked) and out.draft == before
    w = Walker()
    assert isinstance(w.say("/cancel"), CancelAsked)


def test_invalid_answers_change_nothing_and_explain() -> None:
    w = Walker()
    assert "future" in reason(w.say("tomorrow"))
    w.say("today")
    assert "later than now" in reason(w.say("11pm"))
    w.say("2pm")
    assert "8 hours" in reason(w.say("9h"))
    w.say("45")
    assert "expired" in reason(w.tap("c:not_a_choice"))
    assert "expired" in reason(w.tap("p:0123"))
    w.button("Video")
    w.tap("nav:skip")
    w.say("Sam")
    assert "12 to 120" in reason(w.say("7"))
    assert w.key == "participant.age"


def test_long_text_over_limit_is_refused_with_numbers() -> None:
    w = Walker()
    fill_peer_support(w, consent="yes")
    w.tap("edit:summary")
    w.button("Replace it")
    w.say("first part")
    out = w.say("x" * 5000)
    assert "5,000 characters; the limit here is 3,500" in reason(out)
    w.button("Done")
    assert save(w).answers["summary"] == "first part"


def test_group_items_can_be_removed_and_back_keeps_a_half_entered_one() -> None:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:actions")
    assert w.prompt is not None and "1. Call the council" in w.prompt.text
    w.button("Remove 2")
    assert w.prompt is not None and w.prompt.text == (
        "Remove this one?\n2. Send leaflet on tenants' rights — Peer worker"
    )
    w.button("Yes, remove it")
    assert w.prompt is not None and w.prompt.remark == (
        "Removed: Send leaflet on tenants' rights — Peer worker"
    )
    w.button("Add one")
    w.say("Book GP")
    w.tap("nav:back")
    w.tap("nav:back")
    assert w.key == "actions"  # typed, then Back: kept in the list, to change or remove
    assert w.prompt is not None and "2. Book GP" in w.prompt.text
    w.button("Remove 2")
    w.button("Yes, remove it")
    w.button("Done")
    assert [a.what for a in save(w).actions] == ["Call the council housing team"]


def test_recent_participant_by_button_or_name() -> None:
    people = (Choice("p:aa11", "Alex"), Choice("p:bb22", "Jo"))
    for how in ("tap", "type"):
        w = Walker(ctx=Ctx(Clock(NOW), participants=people))
        w.say("today")
        w.say("noon")
        w.say("30")
        w.button("Group")
        w.tap("nav:skip")
        assert w.prompt is not None and w.prompt.choices[0].label == "Alex"
        w.tap("p:bb22") if how == "tap" else w.say(" jo ")
        assert w.key == "consent"
        assert w.draft.answers["participant"] == {"id": "bb22", "name": "Jo"}


def test_multichoice_accepts_typed_list() -> None:
    w = Walker()
    fill_peer_support(w)
    w.tap("edit:emotional_state")
    assert "type one of" in reason(w.say("low, bananas"))
    w.say("low, 7")
    assert w.draft.answers["emotional_state"] == ["low", "withdrawn"]


def test_resume_shows_the_same_question_after_a_restart() -> None:
    w = Walker()
    w.say("today")
    w.say("10am")
    out = resume(w.template, w.draft, w.ctx)
    assert isinstance(out, Asked) and out.prompt.key == "duration"


@pytest.mark.parametrize("template", ["soap", "dap", "birp"])
def test_other_templates_complete(template: str) -> None:
    w = Walker(template)
    w.say("today")
    w.say("10am")
    w.say("50")
    w.button("Video")
    w.tap("nav:skip")
    w.say("P-0042")
    w.tap("nav:skip")
    w.tap("nav:skip")
    w.say("yes")
    while w.prompt and w.prompt.key not in ("actions",):
        w.say(f"Notes for {w.prompt.key}")
        w.button("Done")
    w.button("Done")
    w.tap("nav:skip")
    w.tap("nav:skip")
    assert isinstance(w.out, Reviewing)
    note = save(w)
    assert note.template_id == template
    assert note.participant == {"id": None, "name": "P-0042", "age": None, "pronouns": None}


def test_back_from_a_half_entered_person_keeps_the_name() -> None:
    w = Walker()
    fill_session(w)
    w.button("Skip")
    w.say("Alex Morgan")
    assert w.key == "participant.age"
    w.tap("nav:back")
    assert w.key == "participant"
    assert w.prompt is not None and w.prompt.current == "Alex Morgan"
    assert w.draft.answers["participant"]["name"] == "Alex Morgan"


def test_back_from_a_half_entered_action_files_it_in_the_list() -> None:
    w = Walker()
    fill_session(w)
    w.button("Skip")
    w.say("Alex")
    w.button("Skip")
    w.say("yes")
    w.button("Anxiety")
    w.button("Done")
    w.button("Skip")
    w.say("Talked it through.")
    w.button("Done")
    w.button("Skip")
    w.button("Skip")
    assert w.key == "actions"
    w.say("Call the council")
    w.tap("nav:back")
    assert w.key == "actions"
    assert [a["what"] for a in w.draft.answers["actions"]] == ["Call the council"]
    # Kept, but not savable until it says who: Save walks back to the list.
    w.button("Done")
    w.button("Skip")
    w.button("Skip")
    assert w.review is not None and "Agreed actions" in w.review.missing
    w.tap("nav:save")
    assert w.key == "actions"
