"""The terminal demo: the same bot, driven by typed lines and lettered buttons."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bot.demo import DEMO_USER_ID, run_demo
from storage.service import Storage

SCRIPT = [
    "/new",
    "b",  # Yesterday
    "9am",
    "b",  # 45 min
    "c",  # Phone
    "/skip",  # where
    "Alex",
    "/skip",  # age and pronouns
    "b",  # consent: No
    "save",
    "/last Alex",
]


async def test_demo_takes_a_note_with_typed_letters(storage: Storage) -> None:
    lines: Iterator[str] = iter([f"{line}\n" for line in SCRIPT])
    out: list[str] = []
    await run_demo(storage, "UTC", read_line=lambda: next(lines, ""), write=out.append)
    transcript = "\n".join(out)
    # The demo runs on the real clock: "Yesterday" is whatever day that is now.
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assert "[a] Today  [b] Yesterday" in transcript
    assert "Check the note, then save." in transcript
    assert f"✅ Saved: A. · {yesterday:%a} {yesterday.day} {yesterday:%b} · 45 min" in transcript
    assert "Last session with Alex" in transcript
    assert "Consent to documentation was declined" in transcript
    me = await storage.workers.by_telegram_id(DEMO_USER_ID)
    assert me is not None and await storage.notes.count(me.id) == 1
