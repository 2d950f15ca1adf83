"""Two instances answering for one worker at the same moment: compare-and-set on the draft's
step means neither answer is lost (no per-user lock here, as across processes)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.service import capture
from bot.service.deps import Deps, Turn
from bot.service.drafts import OpenDraft
from storage.service import Storage

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


async def _at_summary(storage: Storage, user_id: int) -> Turn:
    invite = await storage.workers.create_invite(now=NOW)
    worker = await storage.workers.redeem_invite(invite.code, user_id, "Sam", "Europe/London", NOW)
    turn = Turn(Deps(storage, now=lambda: NOW), worker, chat_id=user_id)
    await capture.start_note(turn)
    for text in ("today", "2pm", "45m", "phone", "/skip", "Jo", "/skip", "/skip", "yes"):
        await capture.on_text(turn, text)
    await capture.on_nav(turn, "nav:done")  # no tags
    reply = await capture.on_text(turn, "Housing")
    assert "Send it in one or more messages" in str(reply.screens[0])
    return turn


async def _summary_parts(storage: Storage, turn: Turn) -> list[str]:
    await capture.on_nav(turn, "nav:done")
    draft = await storage.drafts.get(turn.worker.id)
    assert draft is not None
    return sorted(draft.state["engine"]["answers"]["summary"].split("\n\n"))


async def test_an_answer_that_loses_the_race_is_reapplied(storage: Storage) -> None:
    turn = await _at_summary(storage, 7101)
    rec = await storage.drafts.get(turn.worker.id)
    assert rec is not None
    other_instance = OpenDraft.of(rec)  # read before the first answer is written
    await capture.on_text(turn, "First part.")
    reply = await capture.on_text_now(turn, other_instance, "Second part.")
    assert "characters so far" in str(reply.screens[0])
    assert await _summary_parts(storage, turn) == ["First part.", "Second part."]


async def test_two_answers_at_the_same_moment_both_count(storage: Storage) -> None:
    turn = await _at_summary(storage, 7102)
    await asyncio.gather(
        capture.on_text(turn, "First part."), capture.on_text(turn, "Second part.")
    )
    assert await _summary_parts(storage, turn) == ["First part.", "Second part."]
