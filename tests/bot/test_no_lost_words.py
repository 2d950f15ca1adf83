"""Issue 7, section 2: nothing a worker typed is lost, seen through the real bot."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from bot.fakeapi import FakeBotApi
from bot.service.deps import Deps
from bot.telegram.deliver import retry_tidy
from storage.records import NewParticipant
from storage.service import Storage
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person, texts, toasts

SORRY = "something went wrong"


async def _worker_id(storage: Storage) -> int:
    return (await storage.workers.list())[0].id


async def _answers(storage: Storage) -> dict:  # type: ignore[type-arg]
    draft = await storage.drafts.get(await _worker_id(storage))
    assert draft is not None
    return dict(draft.state["engine"]["answers"])


async def up_to_summary(w: Person) -> None:
    await w.say("/new")
    await w.tap("Yesterday")
    await w.say("3pm")
    await w.tap("45 min")
    await w.tap("One-to-one")
    await w.tap("Skip")
    await w.say("Alex")
    await w.say("34, they/them")
    await w.tap("Yes")
    await w.tap("Anxiety")
    await w.tap("Done")
    await w.say("Worried about eviction")
    assert "summary" in w.last().plain.lower()


async def test_editing_the_summary_from_the_review_adds_to_it(
    worker: Person, storage: Storage
) -> None:
    await answer_up_to_review(worker, summary="Read the letter together.")
    await worker.tap("Session summary")
    assert "added to the current text" in worker.last().plain
    await worker.say("Agreed to call the council.")
    await worker.tap("Done")
    assert "Check the note" in "\n".join(m.plain for m in worker.bot_messages()[-3:])
    assert (await _answers(storage))["summary"] == (
        "Read the letter together.\n\nAgreed to call the council."
    )
    # Replacing is a deliberate choice.
    await worker.tap("Session summary")
    await worker.tap("Replace it")
    await worker.say("A fresh summary.")
    await worker.tap("Done")
    assert (await _answers(storage))["summary"] == "A fresh summary."


async def test_back_from_a_half_written_summary_keeps_it(worker: Person, storage: Storage) -> None:
    await up_to_summary(worker)
    await worker.say("Part one of the summary.")
    await worker.say("/back")
    assert (await _answers(storage))["summary"] == "Part one of the summary."
    await worker.tap("Keep")
    assert "Part one of the summary." in worker.last().plain
    await worker.say("Part two.")
    await worker.tap("Done")
    assert (await _answers(storage))["summary"] == "Part one of the summary.\n\nPart two."


async def test_text_after_help_or_settings_answers_the_question(worker: Person) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("/help")
    await worker.say("/settings")
    await worker.say("/participants")
    calls = await worker.say("9am")
    assert not any("unfinished" in t for t in texts(calls))
    assert "How long was it" in worker.last().plain


async def test_an_old_discard_button_cannot_discard_a_note_that_moved_on(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("/new")
    offer = worker.last_with_buttons()
    old = next(d for label, d in offer.buttons if label == "Discard, start new")
    await worker.tap("Resume it", offer)
    await worker.say("9am")
    calls = await worker.press(offer.message_id, old)
    assert toasts(calls) == ["That button has expired."]
    assert (await _answers(storage))["start_time"] == "09:00"
    # A current one still asks once before anything is thrown away.
    await worker.say("/new")
    await worker.tap("Discard, start new")
    assert "can't be brought back" in worker.last().plain
    assert (await _answers(storage))["start_time"] == "09:00"
    await worker.tap("Yes, discard and start new")
    assert "When was the session" in worker.last().plain
    assert "start_time" not in await _answers(storage)


async def test_a_failed_tidy_up_is_retried_and_never_reported_as_a_loss(
    worker: Person, storage: Storage, api: FakeBotApi, bot: object
) -> None:
    await answer_up_to_review(worker)
    api.fail("deleteMessages", status=500, times=20)
    calls = await worker.tap("Save note")
    assert texts(calls)[-1].startswith("✅ Saved")
    assert not any("resume" in t.lower() or SORRY in t for t in texts(calls))
    assert await storage.notes.count(await _worker_id(storage)) == 1
    assert len(worker.bot_messages()) > 20  # not tidied yet
    api.fail("deleteMessages", status=500, times=0)
    deps = bot.bot_data["deps"]  # type: ignore[attr-defined]
    assert isinstance(deps, Deps)
    assert await retry_tidy(bot.bot, deps) == 1  # type: ignore[attr-defined]
    visible = [m.plain for m in worker.bot_messages()]
    assert visible[-1].startswith("✅ Saved") and len(visible) == 2  # the welcome and the card


async def test_a_database_failure_says_the_answer_was_not_saved(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    async with storage.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE drafts RENAME TO drafts_away"))
    calls = await worker.say("9am")
    assert texts(calls) == [
        "Sorry, that didn't go through, so that last message wasn't saved. Please send it again."
    ]
    async with storage.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE drafts_away RENAME TO drafts"))
    await worker.say("9am")
    assert "How long was it" in worker.last().plain


async def test_double_taps_and_telegram_complaints_are_harmless(
    worker: Person, storage: Storage, api: FakeBotApi
) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("/cancel")
    confirm = worker.last_with_buttons()
    keep = next(d for label, d in confirm.buttons if label == "No, keep going")
    before = len(api.calls)
    api.user_taps(worker.user, worker.chat_id or 0, confirm.message_id, keep)
    await worker.press(confirm.message_id, keep)  # the second press, right behind the first
    calls = api.calls[before:]
    assert toasts(calls)[-1] == "That button has expired."
    assert not any(SORRY in t or "wasn't saved" in t for t in texts(calls))
    assert "What time did it start" in worker.last().plain
    # Telegram refusing to answer a query ("query is too old") changes nothing either.
    await worker.say("/cancel")
    api.fail("answerCallbackQuery", status=400, times=1)
    calls = await worker.tap("No, keep going")
    assert not any(SORRY in t or "wasn't saved" in t for t in texts(calls))
    assert "What time did it start" in worker.last().plain
    assert await storage.drafts.get(await _worker_id(storage)) is not None


async def test_an_edited_message_is_answered_not_ignored(
    worker: Person, api: FakeBotApi, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    mid = worker.sent[-1]
    before = len(api.calls)
    api.user_edits(worker.user, worker.chat_id or 0, mid, "/new")
    await asyncio.sleep(0.5)
    sent = texts(api.calls[before:])
    assert len(sent) == 1 and "don't pick up edits" in sent[0]
    assert set(await _answers(storage)) == {"date"}  # the edited "/new" started nothing


async def test_a_known_name_asks_if_it_is_the_same_person(
    worker: Person, storage: Storage
) -> None:
    wid = await _worker_id(storage)
    alex = await storage.participants.add(wid, NewParticipant("Alex", 30, "they/them"))
    for i in range(7):  # Alex is no longer among the recent names offered
        await storage.participants.add(wid, NewParticipant(f"Other {i}"))
    await worker.say("/new")
    await worker.tap("Yesterday")
    await worker.say("3pm")
    await worker.tap("45 min")
    await worker.tap("One-to-one")
    await worker.tap("Skip")
    assert "Alex" not in " ".join(worker.keyboard())
    await worker.say("A\u200blex")  # with an invisible character pasted in
    assert "same Alex" in worker.last().plain
    await worker.tap(next(label for label in worker.keyboard() if label.startswith("Alex")))
    assert (await _answers(storage))["participant"]["id"] == alex.id


async def test_start_mid_note_keeps_the_notes_options(worker: Person) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    before = worker.keyboard()
    await worker.say("/start")
    assert "unfinished note" in worker.last().plain
    assert worker.keyboard() == before  # the menu would be typed into the note
    await worker.say("9am")
    assert "How long was it" in worker.last().plain


async def test_typed_navigation_words_work_like_the_options(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("9am")
    await worker.tap("45 min")
    await worker.tap("One-to-one")
    assert "Where was it" in worker.last().plain
    await worker.say("skip")
    assert "Who was the session with" in worker.last().plain
    assert (await _answers(storage)).get("location") is None


async def test_navigation_words_are_never_stored_as_answers(
    worker: Person, storage: Storage
) -> None:
    await up_to_summary(worker)
    await worker.say("save")  # no Save here: said so, and nothing stored
    assert "Nothing changed" in worker.last().plain
    await worker.say("skip")  # the summary is required
    assert "needs an answer" in worker.last().plain
    assert "summary" not in await _answers(storage)
