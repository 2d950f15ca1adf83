"""JSON logs: one parseable object a line, each update's lines under one request id, and
nothing a worker typed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.fakeapi import FakeBotApi
from bot.telegram.runner import configure_logging
from storage.service import Storage
from tests.bot.conftest import invite
from tests.bot.flows import answer_up_to_review

MARKER = "Quokka-Lantern-Story"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "json", stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)  # type: ignore[arg-type]
        root.setLevel(level)


async def test_each_update_logs_json_under_its_own_request_id(
    json_log: io.StringIO, storage: Storage, api: FakeBotApi, bot: object
) -> None:
    worker = await invite(storage, api, 5001, name=f"Sam {MARKER}")
    await answer_up_to_review(worker, name=f"Alex {MARKER}", summary=f"{MARKER} summary")
    await worker.tap("💾 Save note")

    text = json_log.getvalue()
    assert MARKER not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    registered = [line for line in lines if line["message"].startswith("worker ")]
    assert registered and registered[0]["request_id"] and registered[0]["update_id"] >= 1
    handled = [line for line in lines if line["message"].startswith("update handled in")]
    updates = {line["update_id"] for line in handled}
    assert len(updates) >= 10  # every message and tap of the note was its own update
    by_update = {line["update_id"]: line["request_id"] for line in handled}
    assert len(set(by_update.values())) == len(by_update)  # one request id per update
    for line in lines:  # every line an update caused carries that update's request id
        if "update_id" in line:
            assert line["request_id"] == by_update[line["update_id"]]
