"""'What happened last time with Alex?'"""

from __future__ import annotations

from datetime import timedelta

from storage.records import NewParticipant
from storage.service import Storage
from tests.bot.conftest import FakeClock
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person, texts


async def test_last_returns_the_latest_note_with_open_actions(
    worker: Person, storage: Storage, clock: FakeClock
) -> None:
    await answer_up_to_review(worker, name="Alex", summary="First session: <b>bold</b> & co.")
    await worker.tap("💾 Save note")
    clock.advance(timedelta(days=3))
    await answer_up_to_review(worker, name="Jo", summary="Jo's session")
    await worker.tap("💾 Save note")
    calls = await worker.say("/last alex")
    card = "\n".join(texts(calls))
    assert "Last session with Alex" in card
    assert "Sun 22 Nov 2026, 15:00 · 45 min (4 days ago)" in card
    assert "First session: &lt;b&gt;bold&lt;/b&gt; &amp; co." in card
    assert "Worried about eviction" in card
    assert "• Call the council (due Mon 30 Nov)" in card and "• Send leaflet" in card
    assert "Jo's session" not in card


async def test_last_without_a_name_offers_recent_people(worker: Person) -> None:
    await answer_up_to_review(worker, name="Alex")
    await worker.tap("💾 Save note")
    await worker.say("/last")
    assert worker.last().buttons[0][0].startswith("Alex")
    calls = await worker.tap(worker.last().buttons[0][0])
    assert "Last session with Alex" in texts(calls)[0]


async def test_ambiguous_name_offers_a_choice(worker: Person, storage: Storage) -> None:
    me = await storage.workers.by_telegram_id(worker.user_id)
    assert me is not None
    await storage.participants.add(me.id, NewParticipant("Sam"))
    await storage.participants.add(me.id, NewParticipant("sam "))
    await worker.say("/last SAM")
    assert "More than one match for SAM" in worker.last().text
    assert sorted(label for label, _ in worker.last().buttons) == ["Sam", "sam", "✖ Close"]
    calls = await worker.tap("sam")
    assert texts(calls) == ["No sessions recorded with sam yet."]


async def test_unknown_name(worker: Person) -> None:
    calls = await worker.say("/last Nobody <here>")
    assert texts(calls) == [
        "I can't find anyone called Nobody &lt;here&gt; among your participants."
    ]
