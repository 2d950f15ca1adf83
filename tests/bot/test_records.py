"""Reading records back through the bot: find anyone, the full note, history, addenda, Close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.fakeapi import FakeBotApi
from bot.telegram.deliver import sweep_cards
from storage.models import Note
from storage.service import Storage
from tests.bot.conftest import START, FakeClock, invite
from tests.bot.harness import Person, texts, toasts
from tests.bot.records_seed import seed_note


async def me(storage: Storage, person: Person) -> int:
    found = await storage.workers.by_telegram_id(person.user_id)
    assert found is not None
    return found.id


async def test_any_word_of_a_name_any_case_and_accents_finds_them(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=2), name="Alex Smith", summary="Rent")
    await seed_note(storage, wid, START - timedelta(days=1), name="Zoë Nguyễn", summary="Sleep")
    card = "\n".join(texts(await worker.say("/last alex")))
    assert "Last session with Alex Smith" in card and "Rent" in card
    card = "\n".join(texts(await worker.say("/last SMITH")))
    assert "Last session with Alex Smith" in card
    card = "\n".join(texts(await worker.say("/last zoe nguyen")))
    assert "Last session with Zoë Nguyễn" in card and "Sleep" in card


async def test_a_typo_suggests_the_closest_names_as_buttons(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=3), name="Alex Smith")
    await seed_note(storage, wid, START - timedelta(days=2), name="Sam Taylor")
    for typo in ("Alx", "Alexx", "Smth"):
        await worker.say(f"/last {typo}")
        shown = worker.last()
        assert f"No one called {typo}. Did you mean:" in shown.text
        labels = [label for label, _ in shown.buttons]
        assert labels[0] == "Alex Smith" and "Sam Taylor" not in labels
    calls = await worker.tap("Alex Smith")
    assert "Last session with Alex Smith" in texts(calls)[0]


async def test_names_are_never_found_across_workers(
    worker: Person, storage: Storage, api: FakeBotApi
) -> None:
    other = await invite(storage, api, 5002, "Kim")
    await seed_note(
        storage, await me(storage, other), START - timedelta(days=1), name="Alex Smith"
    )
    calls = await worker.say("/last Alex")
    assert texts(calls) == ["I can't find anyone called Alex among your participants."]
    calls = await worker.say("/last Alx")
    assert "Alex" not in "".join(texts(calls)).replace("called Alx", "")


async def test_full_note_shows_every_section_the_late_mark_and_addenda(
    worker: Person, storage: Storage, clock: FakeClock
) -> None:
    wid = await me(storage, worker)
    note = await seed_note(
        storage,
        wid,
        START - timedelta(days=4),
        name="Alex Smith",
        summary="A <long> chat",
        actions=("Call the council",),
        saved_after=timedelta(hours=50),
    )
    await worker.say("/last Alex")
    calls = await worker.tap("Full note")
    body = "\n".join(texts(calls))
    for title in (
        "Session details",
        "Participant",
        "Consent",
        "Presenting concerns",
        "Session summary",
        "Observations",
        "Agreed actions",
        "Next steps",
    ):
        assert f"<b>{title}</b>" in body, title
    assert "A &lt;long&gt; chat" in body and "Call the council" in body
    assert "Template: Peer support session (version 2)" in body
    assert "Late: Written" in body and "due within 24 hours" in body
    assert "locked and unchanged" in body
    assert note.content_hash and note.content_hash[:12] in body


async def test_an_addendum_goes_under_the_note_which_stays_byte_for_byte(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    note = await seed_note(storage, wid, START - timedelta(hours=5), name="Alex Smith")
    before = await _sealed(storage, note.id)
    await worker.say("/last Alex")
    await worker.tap("Full note")
    calls = await worker.tap("Add an addendum")
    assert "Why are you adding it?" in texts(calls)[0]
    assert worker.keyboard() == ["Correction", "More information", "Late entry", "Cancel"]
    await worker.tap("Correction")
    assert "Now type the addendum" in worker.last().text
    calls = await worker.say("Age was 35, not 34 <sorry>")
    assert "Addendum saved under the note" in texts(calls)[0]
    assert worker.keyboard() == ["📝 New note", "🔎 Last session"]
    assert await _sealed(storage, note.id) == before
    again = await storage.notes.get(wid, note.id)
    assert again is not None and storage.notes.intact(again)
    await worker.say("/last Alex")
    body = "\n".join(texts(await worker.tap("Full note")))
    assert body.index("<b>Next steps</b>") < body.index("<b>Addendum</b>")
    assert "Reason: Correction" in body and "Age was 35, not 34 &lt;sorry&gt;" in body


async def test_an_addendum_can_be_cancelled_and_a_new_note_is_not_swallowed(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(hours=5), name="Alex Smith")
    await worker.say("/last Alex")
    await worker.tap("Full note")
    await worker.tap("Add an addendum")
    calls = await worker.tap("Cancel")
    assert "Addendum cancelled; the note is unchanged." in texts(calls)[0]
    await worker.say("/last Alex")
    await worker.tap("Full note")
    await worker.tap("Add an addendum")
    await worker.say("/new")
    calls = await worker.say("yesterday")
    assert "What time did it start?" in "\n".join(texts(calls))
    assert (
        await storage.addenda.for_notes(
            [
                n.id
                for n in await storage.notes.for_participant(
                    wid, (await storage.participants.find_by_words(wid, "alex"))[0].id
                )
            ]
        )
        == {}
    )


async def test_history_is_paged_newest_first_and_each_opens_the_full_note(
    worker: Person, storage: Storage
) -> None:
    wid = await me(storage, worker)
    first = await seed_note(
        storage, wid, START - timedelta(days=80), name="Alex Smith", summary="Session 1"
    )
    for i in range(2, 9):
        await seed_note(
            storage,
            wid,
            START - timedelta(days=80 - 10 * i),
            participant_id=first.participant_id,
            summary=f"Session {i}",
        )
    calls = await worker.say("/history alex")
    page = texts(calls)[0]
    assert "Sessions with Alex Smith</b> (8), page 1 of 2" in page
    assert page.index("Session 8") < page.index("Session 7") and "Session 2" not in page
    shown = worker.last()
    calls = await worker.tap("Older ▶")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    page2 = worker.api.find(shown.chat_id, shown.message_id)
    assert page2 is not None and "page 2 of 2" in page2.text and "Session 1" in page2.text
    day = (START - timedelta(days=80)).day
    label = next(lbl for lbl, _ in page2.buttons if f" {day} " in lbl)
    body = "\n".join(texts(await worker.tap(label, page2)))
    assert "Session 1" in body and "<b>Session summary</b>" in body


async def test_close_removes_the_card_and_the_request(worker: Person, storage: Storage) -> None:
    wid = await me(storage, worker)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    await worker.say("/last Alex")
    request = worker.sent[-1]
    card = worker.last()
    calls = await worker.tap("Close")
    deleted = _deleted(calls)
    assert {request, card.message_id} <= deleted
    assert worker.api.find(card.chat_id, card.message_id).deleted  # type: ignore[union-attr]


async def test_cards_are_tidied_after_the_workers_setting(
    worker: Person, storage: Storage, clock: FakeClock, bot: Any
) -> None:
    wid = await me(storage, worker)
    await storage.workers.update_settings(wid, card_minutes=5)
    await seed_note(storage, wid, START - timedelta(days=1), name="Alex Smith")
    await worker.say("/last Alex")
    card = worker.last()
    deps = bot.bot_data["deps"]
    clock.advance(timedelta(minutes=4))
    assert await sweep_cards(bot.bot, deps) == 0
    clock.advance(timedelta(minutes=2))
    assert await sweep_cards(bot.bot, deps) == 1
    assert worker.api.find(card.chat_id, card.message_id).deleted  # type: ignore[union-attr]
    assert worker.api.find(card.chat_id, worker.sent[-1]).deleted  # type: ignore[union-attr]


async def test_forged_record_buttons_get_nothing(
    worker: Person, storage: Storage, api: FakeBotApi
) -> None:
    other = await invite(storage, api, 5002, "Kim")
    theirs = await seed_note(storage, await me(storage, other), START, name="Alex Smith")
    await worker.say("/help")
    msg = worker.last()
    for data in (
        f"n|{theirs.id}",
        f"h|{theirs.participant_id}|0",
        f"g|{theirs.participant_id}",
        f"x|p|{theirs.participant_id}|pdf",
        f"x|n|{theirs.id}|txt",
        f"ad|{theirs.id}",
        f"l|{theirs.participant_id}",
        "x|n|zzz|exe",
        "h|x|99999999999",
    ):
        calls = await worker.press(msg.message_id, data)
        assert toasts(calls) == ["That button has expired."], data
        assert not [c for c in calls if c.method in ("sendMessage", "sendDocument", "sendPhoto")]


async def _sealed(storage: Storage, note_id: str) -> tuple[bytes, str | None]:
    async with storage.sessions() as s:
        row = (
            await s.execute(select(Note.content_enc, Note.content_hash).where(Note.id == note_id))
        ).one()
        return bytes(row[0]), row[1]


def _deleted(calls: list[Any]) -> set[int]:
    out: set[int] = set()
    for c in calls:
        if c.method == "deleteMessages":
            out |= set(c.params["message_ids"])
        elif c.method == "deleteMessage":
            out.add(int(c.params["message_id"]))
    return out


async def test_export_sends_the_whole_record_as_a_document(
    worker: Person, storage: Storage
) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    wid = await me(storage, worker)
    first = await seed_note(
        storage, wid, START - timedelta(days=9), name="Ąžuolas Zoë Nguyễn", summary="First talk"
    )
    await seed_note(
        storage,
        wid,
        START - timedelta(days=2),
        participant_id=first.participant_id,
        summary="Second talk",
    )
    calls = await worker.say("/export zoe")
    assert "Export Ąžuolas Zoë Nguyễn's whole record as:" in texts(calls)[0]
    calls = await worker.tap_for_file("PDF")
    methods = [c.method for c in calls]
    assert methods.index("answerCallbackQuery") < methods.index("sendDocument")
    assert toasts(calls) == ["Preparing the export…"]  # acknowledged before the build
    sent = next(c for c in calls if c.method == "sendDocument")
    doc = sent.params["document"]
    assert doc["filename"].endswith(".pdf") and "Nguy" not in doc["filename"]
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(doc["content"])).pages)
    assert "Ąžuolas Zoë Nguyễn" in text and "First talk" in text and "Second talk" in text
    calls = await worker.say("/export Nguyen txt")
    body = next(c for c in calls if c.method == "sendDocument").params["document"]["content"]
    assert body.decode().index("First talk") < body.decode().index("Second talk")


async def test_progress_sends_a_chart(worker: Person, storage: Storage) -> None:
    wid = await me(storage, worker)
    first = await seed_note(
        storage, wid, START - timedelta(days=30), name="Alex Smith", wellbeing=3
    )
    for i, score in enumerate((4, 6, 7), 1):
        await seed_note(
            storage,
            wid,
            START - timedelta(days=30 - 7 * i),
            participant_id=first.participant_id,
            wellbeing=score,
        )
    calls = await worker.say("/progress alex")
    photo = next(c for c in calls if c.method == "sendPhoto")
    assert photo.params["photo"]["content"].startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.params["caption"] == "4 sessions, 4 with a wellbeing rating."
