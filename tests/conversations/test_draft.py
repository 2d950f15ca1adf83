"""Drafts as typed values: JSON round trips, and drafts stored before drafts were typed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conversations.draft import Cursor, NoteDraft
from conversations.engine import Input, answer, resume
from conversations.outcome import Asked, Reviewing
from conversations.template import get_template
from tests.conversations.walker import Walker, fill_peer_support


@pytest.mark.parametrize(
    ("stored", "cursor"),
    [
        (None, Cursor(review=True)),
        ({}, Cursor(review=True)),
        ({"review": True}, Cursor(review=True)),
        ({"field": "date", "sub": None}, Cursor("date")),
        ({"field": "participant", "sub": "age"}, Cursor("participant", "age")),
        ({"field": "actions", "sub": None, "review": False}, Cursor("actions")),
        ({"field": None, "sub": None, "review": True}, Cursor(review=True)),
    ],
)
def test_cursor_reads_old_and_new_forms(stored: dict[str, Any] | None, cursor: Cursor) -> None:
    assert Cursor.from_json(stored) == cursor
    assert Cursor.from_json(cursor.to_json()) == cursor


OLD = {
    "template": "peer_support",
    "version": 1,
    "answers": {"date": "2026-11-22", "start_time": "15:00"},
    "cursor": {"field": "participant", "sub": "age"},
    "history": [{"field": "date", "sub": None}, {"review": True}, {"field": "participant"}],
    "editing": None,
    "gaps": False,
    "buffer": {"item": {"name": "Sam"}},
}


def test_a_draft_stored_in_the_old_form_is_read() -> None:
    draft = NoteDraft.from_json(OLD)
    assert draft == NoteDraft(
        template_id="peer_support",
        template_version=1,
        answers={"date": "2026-11-22", "start_time": "15:00"},
        cursor=Cursor("participant", "age"),
        history=(Cursor("date"), Cursor(review=True), Cursor("participant")),
        buffer={"item": {"name": "Sam"}},
    )
    assert NoteDraft.from_json(json.loads(json.dumps(draft.to_json()))) == draft


def test_an_old_draft_resumes_where_it_was_and_carries_on() -> None:
    template = get_template("peer_support")
    w = Walker()
    out = resume(template, NoteDraft.from_json(OLD), w.ctx)
    assert isinstance(out, Asked) and out.prompt.key == "participant.age"
    out = answer(template, out.draft, Input(text="30"), w.ctx)
    out = answer(template, out.draft, Input(token="nav:skip"), w.ctx)
    assert isinstance(out, Asked) and out.prompt.key == "consent"
    assert out.draft.answers["participant"] == {
        "id": None,
        "name": "Sam",
        "age": 30,
        "pronouns": None,
    }


def test_an_old_draft_with_no_cursor_shows_the_review() -> None:
    out = resume(
        get_template("peer_support"), NoteDraft.from_json({**OLD, "cursor": None}), Walker().ctx
    )
    assert isinstance(out, Reviewing)


def test_a_full_draft_round_trips_and_is_a_copy() -> None:
    w = Walker()
    fill_peer_support(w)
    draft = w.draft
    data = draft.to_json()
    assert NoteDraft.from_json(json.loads(json.dumps(data))) == draft
    data["answers"]["concern_tags"].append("mood")
    assert draft.answers["concern_tags"] == ["anxiety", "housing"]


def test_a_stored_draft_without_a_template_is_refused() -> None:
    with pytest.raises(ValueError, match="template id"):
        NoteDraft.from_json({"answers": {}})
