"""A whole note through the application layer alone: no Telegram anywhere in this file.

If these pass, a second front end (a web form, a terminal) could drive a note unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.service import capture, lookup
from bot.service.deps import Deps, Turn
from bot.service.replies import LastSession, Notice, Question, Reply, Review, SavedCard
from storage.service import Storage

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


async def _turn(storage: Storage) -> Turn:
    invite = await storage.workers.create_invite(now=NOW)
    worker = await storage.workers.redeem_invite(invite.code, 7001, "Sam", "Europe/London", NOW)
    return Turn(Deps(storage, now=lambda: NOW), worker, chat_id=7001)


def _option(reply: Reply, wanted: str) -> str:
    """The label of the option a worker would tap (matching 'Skip' to '⏭ Skip')."""
    assert reply.options, f"no options in {reply}"
    for row in reply.options:
        for label in row:
            if label == wanted or label.split(" ", 1)[-1] == wanted:
                return label
    raise AssertionError(f"no option {wanted!r} in {reply.options}")


class Worker:
    """Answers through the use cases, as any front end would."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.reply = Reply()

    async def say(self, text: str) -> Reply:
        self.reply = await capture.on_text(self.turn, text)
        return self.reply

    async def tap(self, label: str) -> Reply:
        return await self.say(_option(self.reply, label))

    @property
    def question(self) -> str:
        screen = self.reply.screens[-1]
        assert isinstance(screen, Question), screen
        return screen.prompt.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_whole_note_through_the_use_cases(storage: Storage) -> None:
    w = Worker(await _turn(storage))
    w.reply = await capture.start_note(w.turn)
    assert w.question == "When was the session?"
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
    await w.say("Read the letter together.")
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
    assert isinstance(w.reply.screens[-1], Review)
    saved = await w.tap("Save note")
    card = saved.screens[0]
    assert isinstance(card, SavedCard) and card.participant_name == "Alex"
    assert card.note.duration_minutes == 45 and len(card.note.actions) == 1
    assert saved.tidy is not None  # tidy-up is on by default
    assert await storage.drafts.get(w.turn.worker.id) is None

    found = await lookup.last(w.turn, "alex")
    last = found.screens[0]
    assert isinstance(last, LastSession)
    assert last.note.content["answers"]["summary"] == "Read the letter together."


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_text_with_no_note_open_offers_the_menu(storage: Storage) -> None:
    w = Worker(await _turn(storage))
    reply = await w.say("hello")
    assert isinstance(reply.screens[0], Notice) and reply.options


def test_the_application_layer_imports_no_telegram() -> None:
    """Every module of the use cases, the exports and the engine, found by walking the
    packages, so a new module (team, reviews, admin, ...) is covered without listing it."""
    code = (
        "import importlib, pkgutil, sys, bot.service, bot.exports, conversations;"
        "names = sorted(m.name for p in (bot.service, bot.exports, conversations)"
        " for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'));"
        "assert {'bot.service.capture', 'bot.service.team', 'bot.service.reviews',"
        " 'bot.service.admin', 'bot.service.access', 'bot.exports.chart'} <= set(names), names;"
        "[importlib.import_module(n) for n in names];"
        "bad = sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
