"""A scripted worker that completes notes by reading the bot's latest message, like a person.

It does not replay a fixed list of taps: after a crash, a lost reply or a slow one it looks at
what the chat shows and answers that, so it survives any interruption the bot survives. Free
text answers carry a marker unique to the note, so the test can find every answer that was
acknowledged (the bot replied to it) in the saved notes or the open draft, and nowhere else.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from bot.fakeapi import BotMessage, FakeBotApi
from storage.service import Storage

QUIET = 0.08
#: Inline buttons the worker presses to carry on with a note offered again.
CARRY_ON = ("Resume it", "No, keep going", "No, resume it")
#: Replies after which the worker starts a new note.
IDLE = ("✅ Saved", "No note is open", "There is no unfinished note", "Note discarded", "Hello!")
NOT_SAVED = "Sorry, that didn't go through"
TAG = re.compile(r"k[0-9a-f]{10}n\d+")


@dataclass
class Step:
    """One input: text to send, or an inline button (message id, data) to press."""

    text: str | None = None
    press: tuple[int, str] | None = None
    marker: str | None = None  # the free-text answer, when this step gives one


@dataclass
class ScriptedWorker:
    """Completes notes against whatever bot polls ``api``; records what it was told."""

    api: FakeBotApi
    user_id: int
    rng: random.Random
    notes: int = 0
    #: Every free-text answer sent, and those the bot acknowledged with a reply.
    given: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    #: Tags of notes whose save the bot confirmed.
    saves_acked: list[str] = field(default_factory=list)
    #: Bot messages the script did not recognise, and failures the bot reported.
    strays: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pending: Step | None = None
    #: When set, typed instead of every free-text answer (a fuzzer's text, say).
    free: str | None = None
    #: Tap 💾 Finish as soon as it is offered (a shorter note, straight to the review).
    quick: bool = False
    _sent_after: int = 0
    _saving_step: bool = False
    _pressed: set[tuple[int, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.key = f"k{self.rng.getrandbits(40):010x}"
        self.tag = self._next_tag()

    def _next_tag(self) -> str:
        self.notes += 1
        return f"{self.key}n{self.notes}"

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": "Sam"}

    def bot_messages(self) -> list[BotMessage]:
        """Everything the bot sent this chat, deleted or not, oldest first."""
        return [m for m in self.api.messages.get(self.user_id, []) if m.from_bot]

    def _newest_id(self) -> int:
        return max((m.message_id for m in self.api.messages.get(self.user_id, [])), default=0)

    def replied(self) -> bool:
        """Whether the bot has sent anything since the last input."""
        return any(m.message_id > self._sent_after for m in self.bot_messages())

    # ---- deciding ----------------------------------------------------------------------
    def _say(self, text: str, marker: bool = False) -> Step:
        if marker and self.free is not None:
            return Step(text=self.free)
        return Step(text=text, marker=text if marker else None)

    def next_step(self) -> Step:
        """What a worker would send, looking at the bot's latest message."""
        mine = self.bot_messages()
        if not mine:
            return self._say("/resume")
        msg = mine[-1]
        text, keyboard = msg.plain, self.api.reply_keyboard(self.user_id)
        for label, data in msg.buttons:
            if label in CARRY_ON and (msg.message_id, data) not in self._pressed:
                self._pressed.add((msg.message_id, data))
                return Step(press=(msg.message_id, data))
        if NOT_SAVED in text:
            self.errors.append(text)
            return self._say("/resume")
        if any(word in text for word in IDLE):
            self.tag = self._next_tag()
            return self._say("📝 New note")
        if self.quick and "💾 Finish" in keyboard:
            return self._say("💾 Finish")
        return self._answer(text, keyboard)

    def _answer(self, text: str, keyboard: list[str]) -> Step:
        tag = self.tag
        table: list[tuple[str, Step]] = [
            ("Check the note", self._say("💾 Save note")),
            ("When was the session", self._say("Yesterday")),
            ("What time did it start", self._say("3pm")),
            ("How long was it", self._say("45 min")),
            ("What kind of session", self._say("One-to-one")),
            ("Where was it", self._say(f"Room{tag}", marker=True)),
            ("Who was the session with", self._say(f"Nm{tag}", marker=True)),
            ("age and pronouns", self._say("⏭ Skip")),
            ("consent", self._say("Yes")),
            (
                "concerns? Tap any tags",
                self._say("✅ Done" if "✓ Anxiety" in keyboard else "Anxiety"),
            ),
            ("concerns, in your words", self._say(f"Worry{tag}", marker=True)),
            (
                "What was discussed",
                self._say("✅ Done") if "Got it" in text else self._say(f"Talk{tag}", True),
            ),
            ("How did they seem", self._say("⏭ Skip")),
            ("how they seemed", self._say("⏭ Skip")),
            ("rate their wellbeing", self._say("7")),
            ("Who will do it", self._say("Participant")),
            ("By when", self._say("⏭ Skip")),
            (
                "Any agreed actions",
                self._say(f"Act{tag}", True) if "None yet" in text else self._say("✅ Done"),
            ),
            ("When is the next session", self._say("⏭ Skip")),
            ("Topics to follow up", self._say("⏭ Skip")),
        ]
        for needle, step in table:
            if needle in text:
                return step
        self.strays.append(text[:120])
        return self._say("/resume")

    # ---- acting ------------------------------------------------------------------------
    def send(self, step: Step | None = None) -> Step:
        """Send the next input without waiting for the reply."""
        step = step or self.next_step()
        self._sent_after = self._newest_id()
        if step.press is not None:
            self.api.user_taps(self.user, self.user_id, *step.press)
        else:
            assert step.text is not None
            self.api.user_message(self.user, self.user_id, step.text)
            if step.marker:
                self.given.append(step.marker)
        self._saving_step = step.text == "💾 Save note"
        self.pending = step
        return step

    def settle(self) -> bool:
        """Count the pending input as acknowledged if the bot replied to it."""
        if self.pending is None or not self.replied():
            return False
        if self.pending.marker:
            self.acked.append(self.pending.marker)
        if self._saving_step and any("✅ Saved" in m.plain for m in self._replies()):
            self.saves_acked.append(self.tag)
        self.pending = None
        return True

    def _replies(self) -> list[BotMessage]:
        return [m for m in self.bot_messages() if m.message_id > self._sent_after]

    async def wait_reply(self, within: float) -> bool:
        """Wait for the bot's reply and for it to go quiet; False on timeout."""
        deadline = time.monotonic() + within
        while not self.replied():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        count = -1
        while count != len(self.bot_messages()) and time.monotonic() < deadline:
            count = len(self.bot_messages())
            await asyncio.sleep(QUIET)
        return self.settle()

    async def act(self, within: float = 15.0, step: Step | None = None) -> bool:
        """Send the next input and wait for its reply."""
        self.send(step)
        return await self.wait_reply(within)

    async def complete_note(self, within: float = 60.0, max_steps: int = 80) -> None:
        """Carry on until the bot confirms a save."""
        saved = len(self.saves_acked)
        deadline = time.monotonic() + within
        for _ in range(max_steps):
            if len(self.saves_acked) > saved:
                return
            assert time.monotonic() < deadline, f"no save within {within} s"
            if not await self.act(within=max(1.0, deadline - time.monotonic())):
                raise AssertionError(f"no reply to {self.pending}")
        raise AssertionError(f"no save within {max_steps} steps; strays {self.strays[-5:]}")


async def stored_text(storage: Storage, worker_id: int) -> tuple[list[str], str]:
    """Every saved note of the worker as text (content, participant, actions) and the open
    draft's state as text: where acknowledged answers must be."""
    notes = []
    for pid, name in await storage.participants.names(worker_id):
        for note in await storage.notes.whole_record(worker_id, pid):
            actions = [a.text for a in note.actions]
            notes.append(json.dumps([name, note.content, actions], ensure_ascii=False))
    draft = await storage.drafts.get(worker_id)
    draft_text = json.dumps(draft.state, ensure_ascii=False) if draft else ""
    return notes, draft_text


def check_answers(worker: ScriptedWorker, notes: list[str], draft: str) -> None:
    """Every acknowledged answer is kept; no note is saved twice; every confirmed save is
    there."""
    everything = "\n".join([*notes, draft])
    lost = [a for a in worker.acked if a not in everything]
    assert not lost, f"acknowledged answers lost: {lost}"
    tags_per_note = [set(TAG.findall(n)) for n in notes]
    for tags in tags_per_note:
        for tag in tags:
            holders = sum(tag in other for other in tags_per_note)
            assert holders == 1, f"note {tag} saved {holders} times"
    for tag in worker.saves_acked:
        assert any(tag in tags for tags in tags_per_note), f"confirmed save of {tag} missing"


def find_leaks(needles: list[str], blobs: dict[str, bytes]) -> list[tuple[str, str]]:
    """(needle, where) for every needle found in any blob: there should be none."""
    return [
        (needle, where)
        for needle in needles
        for where, blob in blobs.items()
        if needle.encode("utf-8") in blob
    ]
