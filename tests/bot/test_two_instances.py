"""Several instances: two bots on one PostgreSQL database behind one webhook address, each
update going to either. Nothing is kept in an instance's memory between a worker's answers,
and the draft's compare-and-set keeps answers that arrive at both at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.fakeapi import FakeBotApi
from storage.crypto import KeyRing
from storage.service import Storage, open_storage
from tests.bot.conftest import FakeClock, invite
from tests.bot.harness import matches
from tests.bot.test_webhook import pg_url, webhook_bot

__all__ = ["pg_url"]


async def test_instances_started_together_on_a_fresh_database_all_start(
    pg_url: str, ring: KeyRing
) -> None:
    """Each migrates, plants the key canary and starts the audit chain in turn, not at once
    (at once they raced on the same tables and rows, or hung)."""
    started = await asyncio.wait_for(
        asyncio.gather(*(open_storage(pg_url, ring=ring) for _ in range(3))), 60
    )
    try:
        heads = {await storage.audit.head() for storage in started}
        assert len(heads) == 1  # one audit chain, started once
    finally:
        for storage in started:
            await storage.close()


@pytest.fixture
async def instances(
    pg_url: str, ring: KeyRing, api: FakeBotApi, clock: FakeClock
) -> AsyncIterator[tuple[Storage, Storage]]:
    """Two running bots, each with its own storage, on one database; a proxy in front."""
    a = await open_storage(pg_url, ring=ring)
    b = await open_storage(pg_url, ring=ring)
    try:
        async with webhook_bot(a, api, clock):
            url_a = api.webhook.url
            async with webhook_bot(b, api, clock):
                api.route_webhook(url_a, api.webhook.url)  # A, B, A, B, ...
                yield a, b
    finally:
        await a.close()
        await b.close()


#: Every answer of the note below, as saved.
ANSWERS = {
    "date": "2026-11-22",
    "start_time": "15:00",
    "duration": 45,
    "session_type": "one_to_one",
    "location": None,
    "participant": {"id": None, "name": "Alex", "age": 34, "pronouns": "they/them"},
    "consent": "yes",
    "concern_tags": ["anxiety", "housing"],
    "concerns": "Worried about eviction",
    "summary": "Talked it through.",
    "emotional_state": ["calm"],
    "emotional_notes": None,
    "wellbeing": 7,
    "actions": [{"what": "Call the council", "who": "participant", "due": "2026-11-30"}],
    "next_date": None,
    "follow_up": None,
}


async def test_a_note_answered_through_two_instances_in_turn_saves_once_with_every_answer(
    instances: tuple[Storage, Storage], api: FakeBotApi
) -> None:
    a, b = instances
    w = await invite(a, api, 8001)
    await w.say("/new")
    await w.tap("Yesterday")
    await w.say("3pm")
    await w.tap("45 min")
    await w.tap("One-to-one")
    await w.tap("Skip")
    await w.say("Alex")
    await w.say("34, they/them")
    await w.tap("Yes")
    # Two topics typed at once: one reaches each instance, neither is lost.
    before = len(api.calls)
    for topic in ("Anxiety", "Housing"):
        label = next(lbl for lbl in w.keyboard() if matches(lbl, topic))
        api.user_message(w.user, w.chat_id or 0, label)
    await w._settle(before)
    await w.tap("Done")
    await w.say("Worried about eviction")
    await w.say("Talked it through.")
    await w.tap("Done")
    await w.tap("Calm")
    await w.tap("Done")
    await w.tap("Skip")
    await w.tap("7")
    await w.say("Call the council")
    await w.tap("Participant")
    await w.tap("In a week")
    await w.tap("Done")
    await w.tap("Skip")
    await w.tap("Skip")
    assert "Check the note" in "\n".join(m.text for m in w.bot_messages()[-4:])
    await w.tap("💾 Save note")
    assert w.last().text.startswith("✅ Saved: A.")
    # Every update was taken, alternately by each instance.
    assert len(set(api.webhook.route)) == 2
    assert set(api.webhook.statuses) == {200} and len(api.webhook.statuses) > 20
    # Both instances read the same saved note: one, with every answer.
    for storage in (a, b):
        me = await storage.workers.by_telegram_id(w.user_id)
        assert me is not None
        people = await storage.participants.find_by_name(me.id, "alex")
        assert len(people) == 1 and people[0].age == 34
        notes = await storage.notes.for_participant(me.id, people[0].id)
        assert len(notes) == 1
        assert notes[0].content["answers"] == ANSWERS
        assert await storage.drafts.get(me.id) is None
