"""`casenotes demo`: a terminal chat with the real bot, through the in-process fake Bot API.

Buttons are printed as numbered options; type the number to tap one, or type any answer.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import time
from collections.abc import Callable

from bot.deps import Deps
from bot.fakeapi import BotMessage, FakeBotApi
from bot.runner import running_bot
from storage.service import Storage

DEMO_USER_ID = 424242
DEMO_TOKEN = "100000:DEMO"
QUIET = 0.4


def plain(text: str) -> str:
    """Telegram HTML to terminal text."""
    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre)>", "", text))


class Terminal:
    """Prints what the bot shows and turns typed lines into messages or button taps."""

    def __init__(self, api: FakeBotApi, write: Callable[[str], None] = print) -> None:
        self.api = api
        self.write = write
        self.seen: dict[int, tuple[str, str]] = {}
        self.options: list[tuple[int, str]] = []
        self.user = {"id": DEMO_USER_ID, "is_bot": False, "first_name": "Demo"}

    def _render(self, msg: BotMessage) -> None:
        self.write("")
        for line in plain(msg.text).splitlines():
            self.write(f"  bot │ {line}")
        if msg.buttons:
            self.options = [(msg.message_id, data) for _, data in msg.buttons]
            labels = [f"[{i}] {label}" for i, (label, _) in enumerate(msg.buttons, 1)]
            self.write("      │ " + "  ".join(labels))

    def show_changes(self) -> None:
        for msg in self.api.messages.get(DEMO_USER_ID, []):
            if not msg.from_bot:
                continue
            state = (msg.text, repr(msg.reply_markup) if not msg.deleted else "deleted")
            previous = self.seen.get(msg.message_id)
            self.seen[msg.message_id] = state
            if msg.deleted or previous == state:
                continue
            if previous is not None and previous[0] == msg.text and not msg.buttons:
                continue
            self._render(msg)

    async def settle(self, calls_before: int) -> None:
        """Wait for the bot to answer and go quiet, then print what changed."""
        for _ in range(300):  # at most about 30 s
            await asyncio.sleep(0.1)
            calls = self.api.calls
            answered = len(calls) > calls_before and self.api.delivered_all()
            if answered and time.monotonic() - calls[-1].at >= QUIET:
                break
        self.show_changes()

    def send(self, line: str) -> None:
        line = line.strip()
        if line.isdigit() and self.options and 1 <= int(line) <= len(self.options):
            message_id, data = self.options[int(line) - 1]
            self.api.user_taps(self.user, DEMO_USER_ID, message_id, data)
        else:
            self.api.user_message(self.user, DEMO_USER_ID, line)


async def ensure_demo_worker(storage: Storage, timezone: str) -> None:
    """Invite and register the demo worker once."""
    if await storage.workers.by_telegram_id(DEMO_USER_ID) is None:
        invite = await storage.workers.create_invite(role="worker", team="demo")
        await storage.workers.redeem_invite(invite.code, DEMO_USER_ID, "Demo Worker", timezone)


async def run_demo(
    storage: Storage,
    timezone: str,
    read_line: Callable[[], str] = sys.stdin.readline,
    write: Callable[[str], None] = print,
) -> None:
    """Chat with the bot in the terminal until EOF or /quit."""
    await ensure_demo_worker(storage, timezone)
    api = FakeBotApi()
    await api.start()
    terminal = Terminal(api, write)
    try:
        async with running_bot(
            DEMO_TOKEN, api.base_url, Deps(storage, default_timezone=timezone), poll_timeout=2
        ):
            write("casenotes demo: you are a registered worker. Type /new to take a note,")
            write("a number to tap a button, /help for commands, /quit (or Ctrl+D) to leave.")
            before = len(api.calls)
            terminal.send("/start")
            await terminal.settle(before)
            loop = asyncio.get_running_loop()
            while True:
                write("")
                line = await loop.run_in_executor(None, read_line)
                if not line or line.strip() in ("/quit", "/exit"):
                    break
                if not line.strip():
                    continue
                before = len(api.calls)
                terminal.send(line)
                await terminal.settle(before)
    finally:
        await api.stop()
    write("bye: your notes are in the local database, encrypted.")
