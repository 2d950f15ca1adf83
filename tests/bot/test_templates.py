"""Choosing a note template in /settings: the next note asks that template's questions."""

from __future__ import annotations

from storage.service import Storage
from tests.bot.harness import Person, toasts

SOAP_FIRST = "What did the participant say about how things are"
PEER_FIRST = "What were the presenting concerns?"


async def to_first_content_question(w: Person) -> str:
    """Answer the shared session, participant and consent questions; return what comes next."""
    await w.tap("Yesterday")
    await w.say("3pm")
    await w.tap("45 min")
    await w.tap("One-to-one")
    await w.tap("Skip")
    await w.say("Alex")
    for _ in range(3):  # age and pronouns: one question or two, by template
        if "consent" in w.last().plain:
            break
        await w.tap("Skip")
    assert "consent" in w.last().plain
    await w.tap("Yes")
    return w.last().plain


async def choose_template(w: Person, label: str) -> list[str]:
    """Open /settings, tap Note template, then the one labelled; return the toasts."""
    await w.say("/settings")
    await w.tap("Note template")
    return toasts(await w.tap(label))


async def template_of(storage: Storage, w: Person) -> str | None:
    me = await storage.workers.by_telegram_id(w.user_id)
    assert me is not None
    return me.template_id


async def test_settings_show_and_change_the_note_template(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/settings")
    assert "Note template: Peer support session (organisation default)" in worker.last().plain
    await worker.tap("Note template")
    listed = worker.last_with_buttons()
    assert "A note already begun keeps its own" in listed.plain
    assert [label for label, _ in listed.buttons] == [
        "✓ Organisation default (Peer support session)",
        "BIRP note",
        "DAP note",
        "Peer support session",
        "SOAP note",
    ]
    assert all(len(data.encode()) <= 64 for _, data in listed.buttons)
    assert toasts(await worker.tap("SOAP note")) == ["Saved."]
    assert "Note template: SOAP note\n" in worker.last().plain  # the summary, in place
    assert worker.last().message_id == listed.message_id
    assert await template_of(storage, worker) == "soap"

    await worker.tap("Note template")
    marked = [label for label, _ in worker.last_with_buttons().buttons if label.startswith("✓")]
    assert marked == ["✓ SOAP note"]
    await worker.tap("Organisation default (Peer support session)")
    assert "Note template: Peer support session (organisation default)" in worker.last().plain
    assert await template_of(storage, worker) is None


async def test_the_next_note_asks_the_chosen_templates_questions(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    assert PEER_FIRST in await to_first_content_question(worker)
    assert await choose_template(worker, "SOAP note") == ["Saved."]
    await worker.say("/new")
    await worker.tap("Discard, start new")
    await worker.tap("Yes, discard and start new")
    assert "When was the session?" in worker.last().plain
    assert SOAP_FIRST in await to_first_content_question(worker)
    [me] = await storage.workers.list()
    draft = await storage.drafts.get(me.id)
    assert draft is not None and draft.state["engine"]["template_id"] == "soap"


async def test_an_open_note_keeps_its_template_when_the_choice_changes(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/new")
    await worker.tap("Yesterday")
    assert await choose_template(worker, "SOAP note") == ["Saved."]
    await worker.say("3pm")  # the open note carries on where it was
    assert "How long was it" in worker.last().plain
    await worker.tap("45 min")
    await worker.tap("One-to-one")
    await worker.tap("Skip")
    await worker.say("Alex")
    assert "Their age and pronouns?" in worker.last().plain  # peer support asks them together
    await worker.say("34, they/them")
    await worker.tap("Yes")
    assert PEER_FIRST in worker.last().plain
    [me] = await storage.workers.list()
    draft = await storage.drafts.get(me.id)
    assert draft is not None and draft.state["engine"]["template_id"] == "peer_support"


async def test_a_stale_or_forged_template_button_has_expired(
    worker: Person, storage: Storage
) -> None:
    await worker.say("/settings")
    await worker.tap("Note template")
    listed = worker.last_with_buttons()
    for data in ("s|tpl|nope", "s|tpl|", "s|tpl|soap|x", "s|tpl|../soap"):
        assert toasts(await worker.press(listed.message_id, data)) == ["That button has expired."]
    assert await template_of(storage, worker) is None
