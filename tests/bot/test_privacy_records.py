"""Reading records back leaves nothing readable behind: not in the database files, not in
the logs, not in any file on disk."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import pytest

from bot.telegram.runner import configure_logging
from storage.service import Storage
from tests.bot.flows import answer_up_to_review
from tests.bot.harness import Person

MARKER = "Quokka-Harbour-Tale"


def files_under(*roots: Path) -> dict[Path, float]:
    out = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                out[path] = path.stat().st_mtime
    return out


def database_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("bot.db*"))


async def test_addenda_exports_and_charts_leave_no_plaintext(
    worker: Person,
    storage: Storage,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    monkeypatch.chdir(tmp_path)
    temp = Path(tempfile.gettempdir())
    await answer_up_to_review(worker, name=f"Alex {MARKER}", summary=f"{MARKER} summary")
    await worker.tap("💾 Save note")
    before = files_under(tmp_path, temp)
    await worker.say("/last Alex")
    await worker.tap("Full note")
    await worker.tap("Add an addendum")
    await worker.say(f"Reason {MARKER}")
    await worker.say(f"Addendum {MARKER}")
    for fmt in ("pdf", "docx", "txt"):
        calls = await worker.say(f"/export alex {fmt}")
        assert any(c.method == "sendDocument" for c in calls)
    calls = await worker.say("/progress alex")
    assert any(c.method == "sendPhoto" for c in calls)
    await worker.say("/history alex")
    after = files_under(tmp_path, temp)
    new = {p for p in after if p not in before or after[p] != before[p]}
    for path in new:
        if path.name.startswith("bot.db"):
            continue  # the database itself: scanned below
        assert MARKER.encode() not in path.read_bytes(), path
    await storage.engine.dispose()
    raw = database_bytes(tmp_path)
    assert len(raw) > 10_000 and MARKER.encode() not in raw
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert MARKER not in logged
    assert os.listdir(tmp_path)  # the database lives here: the scan saw real files
