"""`casenotes demo`: a terminal chat with the real bot, through the in-process fake Bot API.

What you can press is printed as one list lettered ``[a]``, ``[b]``, …; type a letter to
press, or type anything else (numbers included, so "3" at a time question is an answer and
never a button) to send it as a message:

- ``[a]`` …: the chat's reply keyboard (the options under the input field), printed after the
  message that set it (``kbd │``). Pressing one sends its label as your message, exactly as
  Telegram does.
- then the inline buttons of the newest message that has any, printed under it. Pressing one
  is a button tap (a callback query); the notice a phone shows for it prints as ``bot ⓘ``.

When the list changes without its message being reprinted (say the reply keyboard is
removed), the whole list is printed again as ``now │``, so the letters on screen are always
the ones that work.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import time
from collections.abc import Callable

from bot.fakeapi import BotMessage, FakeBotApi, parse_html
from bot.service.deps import Deps
from bot.telegram.runner import running_bot
from storage.service import Storage

DEMO_USER_ID = 424242
DEMO_TOKEN = "100000:DEMO"
QUIET = 0.4

#: A reply-keyboard label to send, or (message id, callback data) of an inline button.
Target = str | tuple[int, str]


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter(i: int) -> str:
    """1 -> 'a', 26 -> 'z', 27 -> 'aa'."""
    return LETTERS[(i - 1) % 26] * ((i - 1) // 26 + 1)


def number(line: str) -> int | None:
    """'a' -> 1, 'aa' -> 27; None for anything that is not an option letter."""
    if not line or line != line[0] * len(line) or line[0] not in LETTERS:
        return None
    return LETTERS.index(line[0]) + 1 + 26 * (len(line) - 1)


def plain(text: str) -> str:
    """Telegram HTML to terminal text: what a Telegram client would show."""
    try:
        return parse_html(text).text
    except ValueError:
        return html.unescape(re.sub(r"<[^>]*>", "", text))


class Terminal:
    """Prints what the bot shows and turns typed lines into messages or button presses."""

    def __init__(self, api: FakeBotApi, write: Callable[[str], None] = print) -> None:
        self.api = api
        self.write = write
        self.seen: dict[int, tuple[str, str]] = {}
        self.options: list[tuple[str, Target]] = []
        self.reply_count = 0  # how many of the options are reply-keyboard buttons
        self.user = {"id": DEMO_USER_ID, "is_bot": False, "first_name": "Demo"}

    def _latest_inline(self) -> BotMessage | None:
        mine = [m for m in self.api.visible(DEMO_USER_ID) if m.from_bot and m.buttons]
        return mine[-1] if mine else None

    def current_options(self) -> list[tuple[str, Target]]:
        """Reply-keyboard labels first, then the newest inline buttons, in display order."""
        options: list[tuple[str, Target]] = [
            (label, label) for label in self.api.reply_keyboard(DEMO_USER_ID)
        ]
        latest = self._latest_inline()
        if latest is not None:
            options += [(label, (latest.message_id, data)) for label, data in latest.buttons]
        return options

    def _numbered(self, options: list[tuple[str, Target]], first: int) -> str:
        """Options as [a] [b] [c]: letters, so a typed number is always an answer."""
        return "  ".join(f"[{letter(i)}] {label}" for i, (label, _) in enumerate(options, first))

    def _render(self, msg: BotMessage, options: list[tuple[str, Target]]) -> set[str]:
        """Print one message and its buttons; return which kinds of options it showed."""
        self.write("")
        if msg.kind != "text":  # a file: the terminal can only say one arrived
            self.write(f"  bot │ [a {msg.kind} is attached; in Telegram it opens from the chat]")
        for line in msg.plain.splitlines():
            self.write(f"  bot │ {line}")
        shown: set[str] = set()
        keyboard = self.api.current_keyboard(DEMO_USER_ID)
        if msg.keyboard and keyboard is not None and keyboard.message_id == msg.message_id:
            self.write("  kbd │ " + self._numbered(options[: len(keyboard.labels)], 1))
            if keyboard.placeholder:
                self.write(f"      │ ({keyboard.placeholder})")
            shown.add("reply")
        if msg.buttons:
            latest = self._latest_inline()
            if latest is not None and latest.message_id == msg.message_id:
                first = len(options) - len(msg.buttons)
                self.write("      │ " + self._numbered(options[first:], first + 1))
                shown.add("inline")
            else:
                self.write("      │ " + "  ".join(f"[-] {label}" for label, _ in msg.buttons))
        return shown

    def show_changes(self) -> None:
        """Print new and changed messages, then the options if their numbers moved."""
        options = self.current_options()
        shown: set[str] = set()
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
            shown |= self._render(msg, options)
        k, old_k = len(self.api.reply_keyboard(DEMO_USER_ID)), self.reply_count
        moved = {
            "reply": options[:k] != self.options[:old_k],
            "inline": (k, options[k:]) != (old_k, self.options[old_k:]),
        }
        present = {"reply": k > 0, "inline": len(options) > k}
        if any(moved[kind] and present[kind] and kind not in shown for kind in moved):
            self.write("  now │ " + self._numbered(options, 1))
        self.options, self.reply_count = options, k

    async def settle(self, calls_before: int) -> None:
        """Wait for the bot to answer and go quiet, then print what changed."""
        for _ in range(300):  # at most about 30 s
            await asyncio.sleep(0.1)
            calls = self.api.calls
            answered = len(calls) > calls_before and self.api.delivered_all()
            if answered and time.monotonic() - calls[-1].at >= QUIET:
                break
        self.show_changes()
        self.toasts(calls_before)

    def toasts(self, calls_before: int) -> None:
        """Print the short notices a phone shows on top of the chat after a button press."""
        for call in self.api.calls[calls_before:]:
            if call.method == "answerCallbackQuery" and call.params.get("text"):
                self.write(f"  bot ⓘ {call.params['text']}")

    def send(self, line: str) -> None:
        """A letter presses that option; anything else (numbers too) is sent as a message."""
        line = line.strip()
        index = number(line)
        if index is not None and 1 <= index <= len(self.options):
            target = self.options[index - 1][1]
            if isinstance(target, str):
                self.api.user_message(self.user, DEMO_USER_ID, target)
            else:
                self.api.user_taps(self.user, DEMO_USER_ID, *target)
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
    read_line: Callable[[], str] | None = None,
    write: Callable[[str], None] = print,
    template_id: str = "peer_support",
) -> None:
    """Chat with the bot in the terminal until EOF or /quit (lines from stdin by default)."""
    read_line = read_line or sys.stdin.readline  # looked up now: a CLI runner swaps stdin
    await ensure_demo_worker(storage, timezone)
    api = FakeBotApi()
    await api.start()
    terminal = Terminal(api, write)
    try:
        deps = Deps(storage, default_timezone=timezone, template_id=template_id)
        async with running_bot(DEMO_TOKEN, api.base_url, deps, poll_timeout=2):
            write("casenotes demo: you are a registered worker. Type /new to take a note,")
            write("a letter to press a button, /help for commands, /quit (or Ctrl+D) to leave.")
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
