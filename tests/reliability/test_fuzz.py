"""Hypothesis through the real Application: whatever a worker sends or presses, every reply is
one Telegram accepts and the draft stays one the engine can open and carry on with.

One bot serves every example of a test (starting one per example would cost most of the
budget); between examples the worker discards whatever is open with /cancel. The tests take
no Storage argument: hypothesis prints a failing example's arguments with its own printer,
which shows a dataclass's repr=False fields, so a KeyRing there would print its keys.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.ext import Application

from bot.fakeapi import check_html, utf16_len
from bot.fakeapi.chaos import ChaoticBotApi
from bot.service.deps import Deps
from bot.service.drafts import OpenDraft
from bot.telegram.runner import running_bot
from conversations import engine
from conversations.context import Ctx
from conversations.fields import Clock
from conversations.template import template_for
from storage.service import Storage
from tests.reliability.conftest import TOKEN, database_files, failures, logged, register
from tests.reliability.scripted import ScriptedWorker, find_leaks

USER = 7500
#: No shrinking: examples share one bot, so a replay is not the same run, and shrinking a
#: failure would take minutes; the failing example is printed as found.
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    print_blob=True,
    database=None,  # nothing written under .hypothesis/ (and safe beside pytest-xdist)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Every character but surrogates (Telegram carries UTF-8): controls, RTL marks, emoji.
ANY_CHAR = st.characters(exclude_categories=("Cs",))
HTML_BITS = st.sampled_from(
    [
        "<b>",
        "</b>",
        "<script>alert(1)</script>",
        "a < b && c > d",
        "&amp;",
        "&lt;",
        "&#0;",
        "&nbsp;",
        "<a href='javascript:alert(1)'>x</a>",
        '"><img src=x>',
        "<tg-spoiler>",
        "\u202e",
        "\x00\x1b[31m",
        "{{7*7}} %s %(x)s",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=200),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=20),
    st.lists(st.one_of(HTML_BITS, st.text(ANY_CHAR, max_size=10)), min_size=1, max_size=6).map(
        "".join
    ),
    st.text(ANY_CHAR, min_size=1, max_size=50).map(
        lambda s: (s * (10_000 // len(s) + 1))[:10_000]
    ),
)
COMMANDS = st.sampled_from(
    ["/new", "/resume", "/back", "/skip", "/done", "/finish", "/cancel", "/new@casenotes_bot"]
)
PREFIXES = ["d|resume|", "d|drop|", "d|dropnew|", "d|restart|", "n|", "h|", "x|", "ad|", "s|"]
FORGED = st.one_of(
    st.text(ANY_CHAR, max_size=64).filter(lambda s: 0 < len(s.encode()) <= 64),
    st.tuples(st.sampled_from(PREFIXES), st.text(ANY_CHAR, max_size=20)).map("".join),
    st.tuples(
        st.sampled_from(PREFIXES[:4]), st.from_regex(r"[0-9a-f]{8}\|[0-9]{1,3}", fullmatch=True)
    ).map("".join),
)
MEDIA: list[dict[str, Any]] = [
    {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
    {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "u2",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
    {"location": {"latitude": 51.5, "longitude": -0.1}},
    {"document": {"file_id": "d1", "file_unique_id": "u4", "file_name": "x.pdf"}},
]
KINDS = ["option", "option", "text", "command", "media", "forged", "replayed", "edit"]


class Chat:
    """The worker's side of one chat with an in-process bot, and what was typed into it."""

    def __init__(self, api: ChaoticBotApi, app: Application, storage: Storage) -> None:  # type: ignore[type-arg]
        self.api, self.app, self.storage = api, app, storage
        self.user = {"id": USER, "is_bot": False, "first_name": "Sam"}
        self.typed: list[str] = []
        self.seen_buttons: set[tuple[int, str]] = set()

    def idle(self) -> bool:
        processor = self.app.update_processor
        return (
            self.api.delivered_all()
            and self.app.update_queue.empty()
            and getattr(processor, "users_in_flight", 0) == 0
        )

    async def answered(self, before: int) -> None:
        """Wait until the bot has reacted to the input and finished with it."""
        deadline = time.monotonic() + 20
        while len(self.api.calls) == before or not self.idle():
            assert time.monotonic() < deadline, "the bot did not respond"
            await asyncio.sleep(0.01)
        for _ in range(500):  # idle twice running: no update slipped in between
            await asyncio.sleep(0.02)
            if self.idle():
                break
        for m in self.api.messages.get(USER, []):
            if m.from_bot:
                self.seen_buttons |= {(m.message_id, data) for _, data in m.buttons}

    def bot_messages(self) -> list[Any]:
        return [m for m in self.api.messages.get(USER, []) if m.from_bot]

    async def say(self, text: str | None = None, **extra: Any) -> None:
        before = len(self.api.calls)
        self.api.user_message(self.user, USER, text, **extra)
        if text:
            self.typed.append(text)
        await self.answered(before)

    async def press(self, message_id: int, data: str) -> None:
        before = len(self.api.calls)
        self.api.user_taps(self.user, USER, message_id, data)
        await self.answered(before)

    async def edit(self, text: str) -> None:
        mine = [m for m in self.api.messages.get(USER, []) if not m.from_bot]
        before = len(self.api.calls)
        self.api.user_edits(self.user, USER, mine[-1].message_id, text)
        self.typed.append(text)
        await self.answered(before)

    async def reset(self) -> None:
        """Discard whatever is open, as a worker would: /cancel, then confirm."""
        for _ in range(3):
            await self.say("/cancel")
            last = self.bot_messages()[-1]
            confirm = [d for label, d in last.buttons if label.startswith("Yes, discard")]
            if not confirm:
                return
            await self.press(last.message_id, confirm[0])


def distinctive(text: str) -> str | None:
    """A piece of ``text`` specific enough to search files for, if it has one."""
    piece = text[:48]
    return piece if len(piece) >= 16 and len(set(piece) - set(" \t\n")) >= 8 else None


@pytest.fixture
async def chat(
    storage: Storage, api: ChaoticBotApi, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> AsyncIterator[Chat]:
    """One bot for all of a test's examples; afterwards, nothing typed is in any file or log."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="telegram")  # as configure_logging: never DEBUG
    caplog.set_level(logging.WARNING, logger="httpx")
    await register(storage, USER)
    async with running_bot(TOKEN, api.base_url, Deps(storage), poll_timeout=1) as app:
        c = Chat(api, app, storage)
        await c.say("/start")
        yield c
    needles = [n for n in map(distinctive, c.typed) if n]
    assert not find_leaks(needles, {**database_files(tmp_path), "log": logged(caplog)})


def pick(data: st.DataObject, items: list[Any] | set[Any], label: str) -> Any:
    """One of ``items``, drawn the same way whatever they are: the bot is shared between
    examples, so what is on screen differs, and hypothesis needs the draws not to."""
    index = data.draw(st.integers(0, 1 << 16), label=label)
    ordered = sorted(items) if isinstance(items, set) else items
    return ordered[index % len(ordered)] if ordered else None


#: What each kind of step draws, whatever the chat shows (an option falls back to text).
PAYLOAD: dict[str, st.SearchStrategy[Any]] = {
    "option": TEXT,
    "text": TEXT,
    "command": COMMANDS,
    "media": st.sampled_from(MEDIA),
    "forged": FORGED,
    "replayed": TEXT,
    "edit": TEXT,
}


async def step(c: Chat, data: st.DataObject, dry: bool = False) -> None:
    """One thing a worker might do, drawn from everything possible right now (only drawn,
    if ``dry``)."""
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    payload = data.draw(PAYLOAD[kind], label=kind)
    option = pick(data, c.api.reply_keyboard(USER), "option")
    target = pick(data, c.bot_messages(), "message")
    replay = pick(data, c.seen_buttons, "replay")
    if dry:
        return
    if kind == "option" and option is not None:
        await c.say(option)
    elif kind == "media":
        await c.say(**payload)
    elif kind == "forged":
        await c.press(target.message_id, payload)
    elif kind == "replayed" and replay is not None:
        await c.press(*replay)
    elif kind == "edit":
        await c.edit(payload)
    else:
        await c.say(payload)


async def check_draft(storage: Storage, c: Chat) -> None:
    """The open draft (if any) decodes and the engine can show where it is."""
    worker = await storage.workers.by_telegram_id(USER)
    assert worker is not None
    rec = await storage.drafts.get(worker.id)
    if rec is not None:
        od = OpenDraft.of(rec)
        clock = Clock(datetime.now(UTC), worker.timezone, worker.date_order)
        engine.show(template_for(od.note), od.note, Ctx(clock))


def check_replies(c: Chat, caplog: pytest.LogCaptureFixture) -> None:
    """Every message and toast the bot sent is one Telegram accepts; nothing failed."""
    for call in c.api.calls:
        p = call.params
        if call.method in ("sendMessage", "editMessageText"):
            assert p.get("parse_mode") == "HTML"
            check_html(str(p["text"]))  # raises like Telegram would
        elif call.method == "answerCallbackQuery" and p.get("text"):
            assert utf16_len(str(p["text"])) <= 200
    assert not failures(caplog), failures(caplog)
    assert not [m for m in c.bot_messages() if "didn't go through" in m.plain]


@SETTINGS
@given(data=st.data())
async def test_anything_a_worker_sends_gets_a_valid_reply(
    chat: Chat, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    storage = chat.storage
    for _ in range(data.draw(st.integers(1, 6), label="steps")):
        await step(chat, data)
        await check_draft(storage, chat)
    check_replies(chat, caplog)
    await chat.say("/resume")
    await chat.reset()
    await check_draft(storage, chat)
    worker = await storage.workers.by_telegram_id(USER)
    assert worker is not None and await storage.drafts.get(worker.id) is None


@settings(SETTINGS, max_examples=12)
@given(data=st.data())
async def test_fuzzed_answers_mid_note_keep_the_note_going(
    chat: Chat, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    """Walk notes to the review and past it, typing fuzzed text wherever free text goes
    (so the review and the saved card show it back), with anything mixed in at any step."""
    storage = chat.storage
    w = ScriptedWorker(chat.api, USER, random.Random(0), quick=True)
    for _ in range(data.draw(st.integers(12, 30), label="steps")):
        scripted = data.draw(st.integers(0, 4), label="scripted") > 0
        w.free = data.draw(TEXT, label="free text")
        if scripted:
            s = w.next_step()
            if s.press is not None:
                await chat.press(*s.press)
            else:
                assert s.text is not None
                await chat.say(s.text)
            # The random step's draws are made either way, so every example draws alike.
            await step(chat, data, dry=True)
        else:
            await step(chat, data)
        await check_draft(storage, chat)
    check_replies(chat, caplog)
    await chat.reset()


async def test_typed_text_never_reaches_files_or_logs(
    chat: Chat, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After fuzzing: nothing typed is in the database, its WAL or the logs."""
    marker = "Quokka-7f3e-unmistakable"
    for text in (f"{marker} <b>& one", "Tea & toast <i>at 3</i>", f"{marker}\x00\u202e two"):
        await chat.say("/new")
        await chat.say(text)
    await chat.reset()
    needles = [n for n in map(distinctive, chat.typed) if n] + [marker]
    assert not find_leaks(needles, {**database_files(tmp_path), "log": logged(caplog)})
