"""A full note with many addenda stays a short card; the export keeps every one."""

from __future__ import annotations

from datetime import timedelta

from storage.service import Storage
from tests.bot.conftest import START
from tests.bot.harness import Person, texts
from tests.bot.records_seed import seed_note
from tests.bot.test_records import me


async def test_only_the_latest_three_addenda_are_shown_in_full(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    note = await seed_note(storage, wid, START - timedelta(days=3), name="Alex Smith")
    for i in range(8):
        await storage.addenda.add(
            wid, note.id, f"Reason {i}", f"Text {i} " + "x" * 3000, START + timedelta(minutes=i)
        )
    await worker.say("/last Alex")
    calls = await worker.tap("Full note")
    body = "\n".join(texts(calls))
    assert len(texts(calls)) <= 4
    assert "5 earlier addenda</b> (export the note to read them)" in body
    assert "Reason 0" in body and "Text 0" not in body
    assert all(f"Text {i} " in body for i in (5, 6, 7))
    calls = await worker.tap_for_file("Text")
    sent = next(c for c in calls if c.method == "sendDocument").params["document"]["content"]
    assert all(f"Text {i} " in sent.decode() for i in range(8))
