"""Issue 8 through the real bot: a note in few interactions, hints that fit, usual duration."""

from __future__ import annotations

from storage.service import Storage
from tests.bot.harness import Person


async def test_a_minimal_note_takes_at_most_12_interactions(
    worker: Person, storage: Storage
) -> None:
    before = len(worker.sent)
    await worker.say("/new")
    await worker.tap(next(label for label in worker.keyboard() if label.startswith("Just now")))
    await worker.tap("One-to-one")
    await worker.tap("Skip")
    await worker.say("Alex")
    await worker.tap("Skip")
    await worker.tap("Yes")
    await worker.say("Worried about an eviction letter")  # typed on the tags screen
    await worker.say("Read the letter together and made a plan.")
    await worker.tap("Finish")
    await worker.tap("Save note")
    assert worker.last().plain.startswith("✅ Saved: A.")
    assert len(worker.sent) - before <= 12
    wid = (await storage.workers.list())[0].id
    assert await storage.notes.count(wid) == 1


async def test_just_now_uses_the_workers_usual_duration(worker: Person) -> None:
    for name in ("Jo", "Kim"):
        await worker.say("/new")
        await worker.tap("Yesterday")
        await worker.say("10am")
        await worker.tap("60 min")
        await worker.tap("Phone")
        await worker.tap("Skip")
        await worker.say(name)
        await worker.tap("Skip")
        await worker.tap("No")
        await worker.tap("Save note")
    await worker.say("/new")
    assert "Just now (started 14:00, 1h)" in worker.keyboard()  # the clock says 15:00


async def test_the_typing_hint_fits_the_question(worker: Person) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    keyboard = worker.api.current_keyboard(worker.chat_id or 0)
    assert keyboard is not None and keyboard.placeholder == "e.g. 2:30pm, 14:30, half 2"


async def test_new_with_a_note_open_says_which_note(worker: Person) -> None:
    await worker.say("/new")
    await worker.tap("Today")
    await worker.say("9am")
    await worker.tap("45 min")
    await worker.tap("Phone")
    await worker.tap("Skip")
    await worker.say("Alex Smith")
    await worker.say("/new")
    text = worker.last().plain
    assert "the session on Mon 23 Nov with A. S., begun Mon 23 Nov, 15:00" in text
    assert "at question 7 of" in text and "age and pronouns" in text


async def test_timezone_names_in_any_case(worker: Person) -> None:
    await worker.say("/timezone europe/dublin")
    assert worker.last().plain == "Timezone set to Europe/Dublin."


async def test_privacy_says_where_the_chat_lives(worker: Person) -> None:
    await worker.say("/privacy")
    text = worker.last().plain
    assert "Telegram's servers" in text and "48 hours" in text


async def test_a_realistic_note_takes_at_most_20_interactions(
    worker: Person, storage: Storage
) -> None:
    before = len(worker.sent)
    await worker.say("/new")
    await worker.tap(next(label for label in worker.keyboard() if label.startswith("Just now")))
    await worker.tap("One-to-one")
    await worker.say("Community centre")
    await worker.say("Alex")
    await worker.say("34, they/them")
    await worker.tap("Yes")
    await worker.tap("Housing")
    await worker.say("Worried about an eviction letter")
    await worker.say("Read the letter together and made a plan.")
    await worker.tap("Done")
    await worker.tap("Skip")  # how they seemed
    await worker.tap("Skip")  # wellbeing
    await worker.say("Call the council housing team")
    await worker.tap("Participant")
    await worker.say("friday")
    await worker.tap("Done")
    await worker.say("Thursday at 3pm")  # fills the next session's time too
    await worker.tap("Finish")
    await worker.tap("Save note")
    assert worker.last().plain.startswith("✅ Saved: A.")
    assert len(worker.sent) - before <= 20
    wid = (await storage.workers.list())[0].id
    person = (await storage.participants.find_by_name(wid, "Alex"))[0]
    note = (await storage.notes.for_participant(wid, person.id))[0]
    assert len(note.actions) == 1 and note.actions[0].due is not None
    assert person.age == 34 and person.pronouns == "they/them"
