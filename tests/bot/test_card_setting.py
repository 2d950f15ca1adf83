"""/settings: how long cards shown on request stay before tidy-up takes them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from storage.service import Storage
from tests.bot.conftest import START, FakeClock
from tests.bot.harness import Person
from tests.bot.records_seed import seed_note


async def test_card_minutes_cycle_in_settings_and_apply_to_the_next_card(
    worker: Person, storage: Storage, clock: FakeClock, bot: Any
) -> None:
    from bot.telegram.deliver import sweep_cards

    await worker.say("/settings")
    assert "go after: 10 min" in worker.last().text
    await worker.tap("Cards go after 30 min")
    assert "go after: 30 min" in worker.last().text
    me = await storage.workers.by_telegram_id(worker.user_id)
    assert me is not None and me.card_minutes == 30
    await seed_note(storage, me.id, START - timedelta(days=1), name="Alex Smith")
    await worker.say("/last Alex")
    card = worker.last()
    clock.advance(timedelta(minutes=20))
    assert await sweep_cards(bot.bot, bot.bot_data["deps"]) == 0
    clock.advance(timedelta(minutes=11))
    assert await sweep_cards(bot.bot, bot.bot_data["deps"]) == 1
    assert worker.api.find(card.chat_id, card.message_id).deleted  # type: ignore[union-attr]


async def test_with_tidy_up_off_cards_stay_until_closed(
    worker: Person, storage: Storage, clock: FakeClock, bot: Any
) -> None:
    from bot.telegram.deliver import sweep_cards

    await worker.say("/settings")
    await worker.tap("Turn tidy-up off")
    assert "go after: Close (tidy-up is off)" in worker.last().text
    me = await storage.workers.by_telegram_id(worker.user_id)
    assert me is not None
    await seed_note(storage, me.id, START - timedelta(days=1), name="Alex Smith")
    await worker.say("/last Alex")
    card = worker.last()
    clock.advance(timedelta(days=2))
    assert await sweep_cards(bot.bot, bot.bot_data["deps"]) == 0
    assert not worker.api.find(card.chat_id, card.message_id).deleted  # type: ignore[union-attr]
    await worker.tap("Close", card)
    assert worker.api.find(card.chat_id, card.message_id).deleted  # type: ignore[union-attr]
