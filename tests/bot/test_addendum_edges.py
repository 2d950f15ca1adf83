"""An addendum being written next to an open note: commands, photos and long pauses."""

from __future__ import annotations

from datetime import timedelta

from storage.service import Storage
from tests.bot.conftest import FakeClock
from tests.bot.harness import Person, texts
from tests.bot.test_records_attacks import _begin_addendum

PHOTO = [{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]


async def test_typed_navigation_commands_do_not_move_an_open_note(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Yesterday")  # a draft waits at "What time did it start?"
    note_id = await _begin_addendum(worker, storage)
    me = await storage.workers.by_telegram_id(worker.user_id)
    assert me is not None
    seq = (await storage.drafts.get(me.id)).seq  # type: ignore[union-attr]
    for command in ("/skip", "/back", "/done"):
        calls = await worker.say(command)
        assert "that was not kept. Type the reason" in texts(calls)[0], command
    assert (await storage.drafts.get(me.id)).seq == seq  # type: ignore[union-attr]
    await worker.say("Correction")
    calls = await worker.say("Met at the library, not the centre.")
    assert "Addendum saved under the note" in texts(calls)[0]
    assert "What time did it start?" in "\n".join(texts(calls))  # back to the open note
    saved = (await storage.addenda.for_notes([note_id]))[note_id]
    assert [a.text for a in saved] == ["Met at the library, not the centre."]


async def test_a_photo_mid_addendum_says_so_and_changes_nothing(
    worker: Person, storage: Storage
) -> None:
    note_id = await _begin_addendum(worker, storage)
    calls = await worker.say(None, photo=PHOTO)
    assert "An addendum is text only" in texts(calls)[0]
    await worker.say("Correction")
    await worker.say("Text after the photo")
    saved = (await storage.addenda.for_notes([note_id]))[note_id]
    assert [(a.reason, a.text) for a in saved] == [("Correction", "Text after the photo")]


async def test_words_typed_after_a_long_pause_are_still_kept(
    worker: Person, storage: Storage, clock: FakeClock
) -> None:
    note_id = await _begin_addendum(worker, storage)
    await worker.say("More information")
    clock.advance(timedelta(hours=30))
    calls = await worker.say("They found a flat.")
    assert "Addendum saved under the note" in texts(calls)[0]
    saved = (await storage.addenda.for_notes([note_id]))[note_id]
    assert [a.text for a in saved] == ["They found a flat."]
