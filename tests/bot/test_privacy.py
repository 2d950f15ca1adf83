"""Nothing a worker types reaches the logs; help and privacy explain themselves."""

from __future__ import annotations

import logging

import pytest

from bot.telegram.runner import configure_logging
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person, texts

MARKER = "Zebra-Crossing-Story"


async def test_logs_never_contain_note_content(
    worker: Person, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    await answer_up_to_review(worker, name=f"Alex {MARKER}", summary=f"{MARKER} summary")
    await worker.tap("💾 Save note")
    await worker.say(f"/last Alex {MARKER}")
    assert MARKER in "\n".join(m.text for m in worker.bot_messages())
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert MARKER not in logged


async def test_help_privacy_and_unknown_commands(worker: Person) -> None:
    assert "/last" in texts(await worker.say("/help"))[0]
    assert "AES-256-GCM" in texts(await worker.say("/privacy"))[0]
    assert texts(await worker.say("/frobnicate")) == ["I don't know that command. See /help."]
    calls = await worker.say("/skip")
    assert texts(calls) == ["No note is open. Tap New note to start one."]
