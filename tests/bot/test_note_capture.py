"""A worker takes a note end to end through the real Application over HTTP."""

from __future__ import annotations

from storage.service import Storage
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person, texts


async def test_full_note_from_new_to_saved(worker: Person, storage: Storage) -> None:
    await answer_up_to_review(worker)
    review = "\n".join(m.text for m in worker.bot_messages()[-4:])
    assert "Check the note" in review and "Worried about eviction" in review
    assert "Call the council" in review
    calls = await worker.tap("💾 Save note")
    card = worker.last().text
    assert card.startswith("✅ Saved: A.")
    assert "45 min" in card and "2 actions" in card
    workers = await storage.workers.list()
    people = await storage.participants.find_by_name(workers[0].id, "alex")
    assert len(people) == 1 and people[0].age == 34 and people[0].pronouns == "they/them"
    notes = await storage.notes.for_participant(workers[0].id, people[0].id)
    assert notes[0].content["answers"]["summary"] == "Talked it through."
    assert len(notes[0].actions) == 2
    assert await storage.drafts.get(workers[0].id) is None
    # Tidy-up: only the card (and the welcome from before the note) remain visible.
    visible = [m.text for m in worker.api.visible(worker.chat_id or 0)]
    assert len(visible) == 3 and visible[-1] == card
    assert any(c.method == "deleteMessages" for c in calls)


async def test_answered_questions_do_not_look_answerable(worker: Person, storage: Storage) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    # Questions carry their options on the reply keyboard, which each new question replaces:
    # no message in the chat keeps buttons that would answer an old question.
    assert not any(m.buttons for m in worker.bot_messages())
    assert worker.keyboard() == ["◀ Back", "✖ Cancel"]
    # A late second tap on the last question's option is recognised and changes nothing.
    wid = (await storage.workers.list())[0].id
    before = await storage.drafts.get(wid)
    calls = await worker.say("Today")
    assert "previous question" in texts(calls)[0]
    after = await storage.drafts.get(wid)
    assert before is not None and after is not None
    assert after.state["engine"] == before.state["engine"]
    await worker.say("9am")
    assert worker.keyboard()[:4] == ["30 min", "45 min", "60 min", "90 min"]


async def test_back_and_edit_from_review(worker: Person, storage: Storage) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("9am")
    await worker.tap("Back")
    assert "What time did it start" in worker.last().text
    assert "Current answer: 09:00" in worker.last().text
    await worker.say("10am")
    assert "How long was it" in worker.last().text
    await answer_rest_quickly(worker)
    await worker.tap("Duration")
    await worker.say("1h15")
    # Only the duration was edited: straight back to the review.
    review = "\n".join(m.text for m in worker.bot_messages()[-4:])
    assert "Duration: 1h 15min" in review and "Start time: 10:00" in review


async def answer_rest_quickly(w: Person) -> None:
    await w.tap("30 min")
    await w.tap("Phone")
    await w.tap("Skip")
    await w.say("Jo")
    await w.tap("Skip")  # age and pronouns: one question
    await w.tap("No")
    assert "Check the note" in "\n".join(m.text for m in w.bot_messages()[-4:])


async def test_html_in_answers_is_escaped(worker: Person, storage: Storage) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("9am")
    await worker.tap("30 min")
    await worker.tap("Phone")
    await worker.say("<b>Room</b> & <script>")
    await worker.say("<i>Al</i>")
    await worker.tap("Skip")
    await worker.tap("No")
    review = "\n".join(m.text for m in worker.bot_messages()[-4:])
    assert "&lt;i&gt;Al&lt;/i&gt;" in review
    assert "<i>Al</i>" not in review
    sent = [c for c in worker.api.calls if c.method == "sendMessage"]
    questions = [c for c in sent if "Question" in c.params["text"]]
    assert questions and all(c.params.get("parse_mode") == "HTML" for c in questions)


async def test_photo_sticker_and_long_text_change_nothing(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    wid = (await storage.workers.list())[0].id
    before = (await storage.drafts.get(wid)).state["engine"]  # type: ignore[union-attr]
    calls = await worker.say(
        photo=[{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]
    )
    assert "type your answer or tap an option" in texts(calls)[0]
    calls = await worker.say(
        sticker={
            "file_id": "s",
            "file_unique_id": "t",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    )
    assert "type your answer or tap an option" in texts(calls)[0]
    calls = await worker.say("x" * 5000)
    assert "5,000 characters" in texts(calls)[0] or "couldn't read that time" in texts(calls)[0]
    after = (await storage.drafts.get(wid)).state["engine"]  # type: ignore[union-attr]
    assert after == before
    assert "What time did it start" in worker.last().text


async def test_bad_answers_get_a_reason_and_the_same_question(worker: Person) -> None:
    await worker.say("/new")
    calls = await worker.say("next week")
    assert "future" in texts(calls)[0]
    assert "When was the session" in worker.last().text
    await worker.tap("Today")
    await worker.say("9am")
    calls = await worker.say("9 hours")
    assert "8 hours" in texts(calls)[0]


async def test_summary_over_4096_is_split_in_the_review(worker: Person) -> None:
    long = ("All about the week. " * 174).strip()
    await answer_up_to_review(worker, summary=long)
    messages = worker.bot_messages()
    assert all(len(m.plain) <= 4096 for m in messages)
    with_summary = [m for m in messages if long[:100] in m.text and "Session summary" in m.text]
    with_next = [m for m in messages if "<b>Next steps</b>" in m.text]
    assert len(with_summary) == 1 and len(with_next) == 1
    assert with_next[0].keyboard, "the options go on the last part of the review"
    await worker.tap("💾 Save note")
    assert worker.last().text.startswith("✅ Saved")


async def test_cancel_asks_then_discards_and_tidies(worker: Person, storage: Storage) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("/cancel")
    assert "Discard this note?" in worker.last().text
    await worker.tap("Yes, discard it")
    assert "Note discarded" in worker.last().text
    assert await storage.drafts.get((await storage.workers.list())[0].id) is None
    assert not any("Question" in m.text for m in worker.bot_messages())


async def test_new_with_a_draft_open_asks_first(worker: Person) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("/new")
    assert "unfinished note" in worker.last().text
    await worker.tap("Resume it")
    assert "What time did it start" in worker.last().text
    # Other commands mid-note don't pause it: the next answer still counts.
    await worker.say("/last")
    await worker.say("10am")
    assert "How long was it" in worker.last().text
