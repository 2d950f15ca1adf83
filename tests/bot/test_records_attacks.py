"""Records under attack: forged pages, pasted names, twins, long notes, addenda, tidy-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from storage.models import CardMessage
from storage.records import NewParticipant
from storage.service import Storage
from tests.bot.conftest import START, FakeClock
from tests.bot.harness import Person, texts, toasts
from tests.bot.records_seed import seed_note
from tests.bot.test_records import _deleted, me


async def test_page_numbers_in_other_digits_are_an_expired_button(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    note = await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    await worker.say("/help")
    msg = worker.last()
    for data in (f"h|{note.participant_id}|²", "p|²", "p|١", f"h|{note.participant_id}|0|1"):
        calls = await worker.press(msg.message_id, data)
        assert toasts(calls) == ["That button has expired."], data
        assert [c.method for c in calls] == ["answerCallbackQuery"], data


async def test_a_pasted_page_as_a_name_is_not_echoed_back_in_full(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    calls = await worker.say("/last " + "q" * 4090)
    assert [c.method for c in calls] == ["sendMessage"]
    assert len(texts(calls)[0]) < 200 and "qqq…" in texts(calls)[0]


async def test_twins_are_told_apart_and_a_full_name_picks_its_person(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith", summary="One")
    await seed_note(storage, wid, START - timedelta(days=9), name="Alex Smith", summary="Two")
    await worker.say("/last alex smith")
    labels = [label for label, _ in worker.last().buttons]
    assert labels == [
        "Alex Smith · last seen Sun 22 Nov 2026",
        "Alex Smith · last seen Sat 14 Nov 2026",
        "✖ Close",
    ]
    await storage.participants.add(wid, NewParticipant("Jo Bloggs"))
    await seed_note(storage, wid, START - timedelta(days=3), name="Jo Bloggs-Smith")
    card = "\n".join(texts(await worker.say("/last jo bloggs smith")))
    assert "Last session with Jo Bloggs-Smith" in card
    calls = await worker.say("/last jo bloggs")
    assert texts(calls) == ["No sessions recorded with Jo Bloggs yet."]
    # It showed a name: audited like any view.
    viewed = [
        e for e in await storage.audit.entries(worker_id=wid) if e.kind == "participant.viewed"
    ]
    assert len(viewed) == 1 and viewed[0].participant_id == viewed[0].ref_id


async def test_a_common_word_offers_ten_names_not_fifty(worker: Person, storage: Storage) -> None:
    wid = await me(storage, worker)
    for i in range(15):
        await storage.participants.add(wid, NewParticipant(f"Sam {i}"))
    await worker.say("/last sam")
    shown = worker.last()
    assert len(shown.buttons) == 11 and shown.buttons[-1][0] == "✖ Close"
    assert "type more of the name" in shown.text and "/participants" in shown.text


async def test_history_from_a_long_full_note_leaves_the_note_whole(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await seed_note(
        storage, wid, START - timedelta(days=1), name="Alex Smith", summary="x " * 2100
    )
    await worker.say("/last Alex")
    calls = await worker.tap("Full note")
    parts = [c for c in calls if c.method == "sendMessage"]
    assert len(parts) >= 2
    note_text = [m.text for m in worker.bot_messages()[-len(parts) :]]
    calls = await worker.tap("History")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert "Sessions with Alex Smith" in texts(calls)[0]
    assert [m.text for m in worker.bot_messages()[-len(parts) - 1 : -1]] == note_text


async def _begin_addendum(worker: Person, storage: Storage) -> str:
    wid = await me(storage, worker)
    note = await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    await worker.say("/last Alex")
    await worker.tap("Full note")
    await worker.tap("Add an addendum")
    return note.id


async def test_an_addendum_leaves_the_chat_with_tidy_up_on(
    worker: Person, storage: Storage, clock: FakeClock, bot: Any
) -> None:
    from bot.telegram.deliver import sweep_cards

    await _begin_addendum(worker, storage)
    await worker.say("Secret reason")
    await worker.say("Secret addendum")
    assert "Addendum saved" in worker.last().text
    typed = worker.sent[-2:]
    clock.advance(timedelta(minutes=11))
    await sweep_cards(bot.bot, bot.bot_data["deps"])
    for mid in typed:
        assert worker.api.find(worker.chat_id or 0, mid).deleted  # type: ignore[union-attr]
    left = " ".join(m.text for m in worker.api.visible(worker.chat_id or 0))
    assert "Secret" not in left and "Alex" not in left


async def test_an_invisible_reason_is_asked_again(worker: Person, storage: Storage) -> None:
    await _begin_addendum(worker, storage)
    calls = await worker.say("\u200b\u2060")
    assert texts(calls) == ["Please tap a reason or type one."]
    calls = await worker.say("Correction")
    assert "Now type the addendum" in texts(calls)[0]
    calls = await worker.say("\u200b")
    assert texts(calls) == ["Please type the addendum."]


async def test_a_notes_navigation_mid_addendum_is_not_kept(
    worker: Person, storage: Storage
) -> None:
    note_id = await _begin_addendum(worker, storage)
    for word in ("Skip", "⏭ Skip", "◀ Back", "🔎 Last session"):
        calls = await worker.say(word)
        assert "that was not kept. Type the reason" in texts(calls)[0], word
    await worker.say("Late entry")
    calls = await worker.say("done")
    assert "that was not kept. Type the addendum" in texts(calls)[0]
    await worker.say("They called back on Tuesday.")
    saved = (await storage.addenda.for_notes([note_id]))[note_id]
    assert [(a.reason, a.text) for a in saved] == [("Late entry", "They called back on Tuesday.")]


async def test_the_sweep_deletes_every_message_of_a_card_cut_by_its_row_limit(
    worker: Person, storage: Storage, clock: FakeClock, bot: Any
) -> None:
    from bot.telegram.deliver import sweep_cards

    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    for i in range(199):  # older cards first in line, filling the sweep's 200 rows but one
        await storage.cards.remember(f"old{i}", wid, worker.chat_id or 0, [90_000 + i], START)
    await worker.say("/last Alex")
    card = [worker.sent[-1], worker.last().message_id]
    clock.advance(timedelta(minutes=11))
    deps = bot.bot_data["deps"]
    calls_before = len(worker.api.calls)
    await sweep_cards(bot.bot, deps)
    assert set(card) <= _deleted(worker.api.calls[calls_before:])


async def test_a_card_without_buttons_is_not_kept_when_tidy_up_is_off(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await storage.workers.update_settings(wid, tidy_chat=False)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    await storage.participants.add(wid, NewParticipant("Jo Bloggs"))
    await worker.say("/progress Alex")
    await worker.say("/history Jo")
    async with storage.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(CardMessage)) == 0
    await worker.say("/last Alex")
    async with storage.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(CardMessage)) == 2


async def test_replies_naming_someone_are_tidied_with_the_request(
    worker: Person, storage: Storage, clock: FakeClock, bot: Any
) -> None:
    from bot.telegram.deliver import sweep_cards

    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    await storage.participants.add(wid, NewParticipant("Jo Bloggs"))
    for request in ("/export Alex", "/last Jo", "/history Jo", "/last Nobodyhere"):
        await worker.say(request)
    clock.advance(timedelta(minutes=11))
    await sweep_cards(bot.bot, bot.bot_data["deps"])
    left = [m.text for m in worker.api.visible(worker.chat_id or 0)]
    assert not [t for t in left if "Alex" in t or "Jo" in t or "Nobody" in t], left


async def test_a_word_export_survives_characters_xml_cannot_hold(
    worker: Person, storage: Storage
) -> None:
    from io import BytesIO

    from docx import Document

    wid = await me(storage, worker)
    await seed_note(
        storage, wid, START - timedelta(days=1), name="Alex Smith", summary="a\x00b\x0c"
    )
    await worker.say("/last Alex")
    await worker.tap("Full note")
    await worker.tap("Add an addendum")
    await worker.say("Escape \x1b key")
    await worker.say("Form\x0bfeed \ufffe")
    calls = await worker.say("/export alex docx")
    sent = next(c for c in calls if c.method == "sendDocument")
    doc = Document(BytesIO(sent.params["document"]["content"]))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "a?b?" in body and "Escape ? key" in body and "Form?feed ?" in body
