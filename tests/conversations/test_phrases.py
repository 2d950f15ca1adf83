"""What people type, and what each question makes of it: this table is the specification.

Every phrase is read at one fixed moment in two timezones, through the same function the engine
calls (values.parse_value), so the worker's zone, the field's past/future side and what the
draft already holds all count. The moment is Friday 27 Nov 2026 20:00 in London, which is
already Saturday 28 Nov 07:00 in Sydney.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from conversations.context import Ctx
from conversations.dates import parse_date
from conversations.fields import Ambiguous, Clock, Invalid
from conversations.template import Field, Section, Template, all_templates
from conversations.values import examples, is_age, parse_value

NOW = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
ZONES = {
    "London": Clock(NOW, "Europe/London", "DMY"),
    "Sydney": Clock(NOW, "Australia/Sydney", "DMY"),
}


def _field(key: str, type_: str, **kw: Any) -> Field:
    return Field(key=key, type=type_, prompt=key, label=key, **kw)


AGE = _field("age", "integer", minimum=12, maximum=120, required=False)
DUE = _field("due", "date", dates="future", required=False)
TEMPLATE = Template(
    id="phrases",
    version=1,
    title="Phrases",
    sections=(
        Section(
            "details",
            "Details",
            (
                _field("date", "date"),
                _field("start_time", "time"),
                _field("duration", "duration"),
                _field("wellbeing", "rating", minimum=1, maximum=10),
                _field("participant", "participant", fields=(_field("name", "text"), AGE)),
                _field("actions", "group", fields=(_field("what", "text"), DUE)),
                _field("next_date", "date", dates="future"),
                _field("next_time", "time"),
            ),
        ),
    ),
    roles={
        "session_date": "date",
        "start_time": "start_time",
        "next_date": "next_date",
        "next_time": "next_time",
    },
)

# The questions, named as a worker meets them; some with what the draft already holds.
QUESTIONS: dict[str, tuple[Field, str | None]] = {
    "duration": (TEMPLATE.field("duration"), None),
    "age": (AGE, None),
    "rating": (TEMPLATE.field("wellbeing"), None),
    "session date": (TEMPLATE.field("date"), None),
    "due date": (DUE, None),
    "next session": (TEMPLATE.field("next_date"), None),
    "start, dated today": (TEMPLATE.field("start_time"), "today"),
    "start, dated yesterday": (TEMPLATE.field("start_time"), "yesterday"),
    "next time": (TEMPLATE.field("next_time"), None),
}


@dataclass(frozen=True)
class Ask:
    """The phrase reads two ways: the worker is asked this question (and nothing changes)."""

    question: str


@dataclass(frozen=True)
class Refuse:
    """The phrase is refused with a one-line reason containing this (and nothing changes)."""

    reason: str


SAME = object()  # Sydney's result is London's.


@dataclass(frozen=True)
class Case:
    question: str
    phrase: str
    london: Any
    sydney: Any = SAME


def Nov(day: int) -> date:
    return date(2026, 11, day)


def Dec(day: int) -> date:
    return date(2026, 12, day)


def Oct(day: int) -> date:
    return date(2026, 10, day)


AM_OR_PM = Ask("Did you mean 2:30 in the morning or 14:30?")

TABLE = [
    # Durations, in minutes.
    Case("duration", "half an hour", 30),
    Case("duration", "about 45 mins", 45),
    Case("duration", "an hour and a half", 90),
    Case("duration", "forty five", 45),
    Case("duration", "1 1/2 hours", 90),
    Case("duration", "one and a half hours", 90),
    Case("duration", "1½ hours", 90),
    Case("duration", "two and a half hours", 150),
    Case("duration", "three quarters of an hour", 45),
    Case("duration", "a quarter of an hour", 15),
    Case("duration", "an hour and 15 minutes", 75),
    Case("duration", "two hours fifteen", 135),
    Case("duration", "45ish", 45),
    Case("duration", "45", 45),
    Case("duration", "45m", 45),
    Case("duration", "1h15", 75),
    Case("duration", "1:15", 75),
    Case("duration", "1.5h", 90),
    Case("duration", "an hour", 60),
    Case("duration", "90 minutes", 90),
    Case("duration", "ages", Refuse("Try 45m, 1h15 or an hour and a half")),
    Case("duration", "nine hours", Refuse("over 8 hours")),
    # Ages: a number when exact (or nearly), a band kept as the worker said it.
    Case("age", "twenty", 20),
    Case("age", "about 30", 30),
    Case("age", "30ish", 30),
    Case("age", "34", 34),
    Case("age", "thirty-four", 34),
    Case("age", "20s", "20s"),
    Case("age", "early 20s", "early 20s"),
    Case("age", "mid 30s", "mid 30s"),
    Case("age", "late teens", "late teens"),
    Case("age", "twenties", "20s"),
    Case("age", "in their forties", "40s"),
    Case("age", "150", Refuse("from 12 to 120")),
    Case("age", "100s", Refuse("a band, like 20s")),
    Case("age", "young", Refuse("a band, like 20s")),
    # Ratings on a 1-10 scale.
    Case("rating", "7/10", 7),
    Case("rating", "seven", 7),
    Case("rating", "7 out of 10", 7),
    Case("rating", "about 7", 7),
    Case("rating", "7", 7),
    Case("rating", "7/5", Refuse("runs from 1 to 10")),
    Case("rating", "eleven", Refuse("from 1 to 10")),
    # Dates of a session that has happened.
    Case("session date", "today", Nov(27), Nov(28)),
    Case("session date", "yesterday", Nov(26), Nov(27)),
    Case("session date", "Friday just gone", Nov(20), Nov(27)),
    Case("session date", "last Friday", Nov(20), Nov(27)),
    Case("session date", "this past Friday", Nov(20), Nov(27)),
    Case("session date", "Friday", Nov(27)),
    Case("session date", "2 days ago", Nov(25), Nov(26)),
    Case("session date", "21/11", Nov(21)),
    Case("session date", "the 5th", Nov(5)),
    # This month isn't over, so a past 'end of month' is the end of last month.
    Case("session date", "end of month", Oct(31)),
    Case("session date", "end of last month", Oct(31)),
    Case("session date", "last month", Oct(27), Oct(28)),
    Case("session date", "next month", Refuse("in the future")),
    Case("session date", "banana", Refuse("Try yesterday, Friday or 21/11.")),
    # Dates still to come.
    Case("due date", "tomorrow", Nov(28), Nov(29)),
    Case("due date", "Friday", Dec(4)),
    Case("due date", "next Friday", Dec(4)),
    Case("due date", "end of month", Nov(30)),
    Case("due date", "end of the month", Nov(30)),
    Case("due date", "end of next month", Dec(31)),
    Case("due date", "next month", Dec(27), Dec(28)),
    Case("due date", "in a month", Dec(27), Dec(28)),
    Case("due date", "in two weeks", Dec(11), Dec(12)),
    Case("due date", "the 5th", Dec(5)),
    Case("due date", "5/12", Dec(5)),
    Case("due date", "yesterday", Refuse("already passed")),
    Case("due date", "banana", Refuse("Try tomorrow, Friday or 5/12.")),
    Case("next session", "next month", Dec(27), Dec(28)),
    Case("next session", "Thursday at 3pm", Dec(3)),
    Case("next session", "today at 9am", Refuse("already passed today"), Nov(28)),
    Case("session date", "today at 11pm", Refuse("later than now")),
    # Times. Spoken times ('half 2') are read in the daytime, 07:00-18:59.
    Case("next time", "half 2", time(14, 30)),
    Case("next time", "half past two", time(14, 30)),
    Case("next time", "quarter to 4", time(15, 45)),
    Case("next time", "twenty past three", time(15, 20)),
    Case("next time", "half 7", time(7, 30)),
    Case("next time", "half 7 pm", time(19, 30)),
    Case("next time", "2:30pm", time(14, 30)),
    Case("next time", "14:30", time(14, 30)),
    Case("next time", "02:30", time(2, 30)),
    Case("next time", "noon", time(12, 0)),
    Case("next time", "2.30", AM_OR_PM),
    Case("next time", "two thirty", AM_OR_PM),
    Case("next time", "3", Ask("Did you mean 3am or 3pm?")),
    Case("next time", "an hour ago", Refuse("in the past")),
    Case("start, dated today", "an hour ago", time(19, 0), time(6, 0)),
    Case("start, dated today", "half an hour ago", time(19, 30), time(6, 30)),
    Case("start, dated today", "now", time(20, 0), time(7, 0)),
    Case("start, dated today", "half 2", time(14, 30), Refuse("later than now")),
    Case("start, dated yesterday", "half 2", time(14, 30)),
    Case("start, dated yesterday", "2.30", AM_OR_PM),
    Case("start, dated yesterday", "an hour ago", Refuse("not the session's date")),
]


def _stored(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _draft(clock: Clock, dated: str | None) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    if dated is not None:
        day = parse_date(dated, clock)[0]
        answers[TEMPLATE.roles["session_date"]] = day.isoformat()
    return {"answers": answers, "buffer": {}}


@pytest.mark.parametrize("zone", sorted(ZONES))
@pytest.mark.parametrize("case", TABLE, ids=lambda c: f"{c.question}: {c.phrase}")
def test_phrase(case: Case, zone: str) -> None:
    clock = ZONES[zone]
    f, dated = QUESTIONS[case.question]
    expected = case.london if zone == "London" or case.sydney is SAME else case.sydney
    draft = _draft(clock, dated)
    before = copy.deepcopy(draft)
    if isinstance(expected, Ask | Refuse):
        with pytest.raises(Invalid) as refused:
            parse_value(TEMPLATE, draft, f, case.phrase, Ctx(clock))
        reason = str(refused.value)
        assert "\n" not in reason and len(reason) <= 160
        assert draft == before
        if isinstance(expected, Ask):
            assert isinstance(refused.value, Ambiguous)
            assert refused.value.question == expected.question
        else:
            assert not isinstance(refused.value, Ambiguous)
            assert expected.reason in reason
        return
    assert parse_value(TEMPLATE, draft, f, case.phrase, Ctx(clock)) == _stored(expected)


def test_every_question_and_zone_is_in_the_table() -> None:
    assert {c.question for c in TABLE} == set(QUESTIONS)
    assert any(c.sydney is not SAME for c in TABLE)


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_a_date_with_a_time_answers_the_time_too(zone: str) -> None:
    clock = ZONES[zone]
    draft: dict[str, Any] = {"answers": {"next_time": "09:00"}, "buffer": {}}
    f = TEMPLATE.field("next_date")
    assert parse_value(TEMPLATE, draft, f, "Thursday at half 2", Ctx(clock)) == "2026-12-03"
    assert draft["answers"]["next_time"] == "14:30"
    session = TEMPLATE.field("date")
    assert parse_value(TEMPLATE, draft, session, "yesterday 3pm", Ctx(clock))
    assert draft["answers"]["start_time"] == "15:00"


def test_an_ambiguous_time_offers_replies_that_read_one_way() -> None:
    clock = ZONES["London"]
    f = TEMPLATE.field("next_time")
    with pytest.raises(Ambiguous) as asked:
        parse_value(TEMPLATE, _draft(clock, None), f, "2.30", Ctx(clock))
    assert asked.value.options == (("02:30", "2:30 in the morning"), ("14:30", "14:30"))
    assert str(asked.value) == (
        "Did you mean 2:30 in the morning or 14:30? Please send 02:30 or 14:30."
    )
    replies = [
        parse_value(TEMPLATE, _draft(clock, None), f, r, Ctx(clock))
        for r, _ in asked.value.options
    ]
    assert replies == ["02:30", "14:30"]


def test_a_date_with_an_ambiguous_time_asks_with_whole_answers() -> None:
    clock = ZONES["London"]
    f = TEMPLATE.field("date")
    with pytest.raises(Ambiguous) as asked:
        parse_value(TEMPLATE, _draft(clock, None), f, "yesterday at 2.30", Ctx(clock))
    assert [reply for reply, _ in asked.value.options] == [
        "yesterday at 02:30",
        "yesterday at 14:30",
    ]
    draft = _draft(clock, None)
    assert parse_value(TEMPLATE, draft, f, "yesterday at 14:30", Ctx(clock)) == "2026-11-26"
    assert draft["answers"]["start_time"] == "14:30"


def test_an_hour_ago_just_after_midnight_is_yesterday() -> None:
    clock = Clock(datetime(2026, 11, 27, 0, 20, tzinfo=UTC), "Europe/London")
    f = TEMPLATE.field("start_time")
    today = {"answers": {"date": "2026-11-27"}, "buffer": {}}
    with pytest.raises(Invalid, match="23:20 on Thu 26 Nov"):
        parse_value(TEMPLATE, today, f, "an hour ago", Ctx(clock))
    yesterday = {"answers": {"date": "2026-11-26"}, "buffer": {}}
    assert parse_value(TEMPLATE, yesterday, f, "an hour ago", Ctx(clock)) == "23:20"


@pytest.mark.parametrize(
    ("field", "order", "text"),
    [
        (TEMPLATE.field("date"), "DMY", "yesterday, Friday, 21/11"),
        (DUE, "DMY", "tomorrow, Friday, 5/12"),
        (DUE, "MDY", "tomorrow, Friday, 12/5"),
        (TEMPLATE.field("start_time"), "DMY", "2:30pm, 14:30, half 2"),
        (TEMPLATE.field("duration"), "DMY", "45, 1h15, an hour and a half"),
        (AGE, "DMY", "34, about 30, 20s"),
        (TEMPLATE.field("wellbeing"), "DMY", "1 to 10, like 7 or 7/10"),
        (_field("name", "text"), "DMY", ""),
    ],
)
def test_examples_suit_the_field(field: Field, order: str, text: str) -> None:
    assert examples(field, order) == text


def test_each_example_is_read_by_its_own_field() -> None:
    clock = ZONES["London"]
    for f, _ in QUESTIONS.values():
        for phrase in examples(f, clock.date_order).split(", "):
            if f.type == "rating":
                phrase = phrase.split()[-1]
            if phrase in ("2:30pm", "14:30", "half 2") and f.key == "start_time":
                continue  # later than now on a session dated today; fine on another day
            parse_value(TEMPLATE, _draft(clock, None), f, phrase, Ctx(clock))


def test_the_shipped_age_questions_take_bands() -> None:
    ages = [
        sub
        for t in all_templates().values()
        for f in t.fields
        if f.type == "participant"
        for sub in f.fields
        if sub.key == "age"
    ]
    assert ages and all(is_age(a) for a in ages)
