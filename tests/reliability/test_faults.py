"""10% of Bot API calls answered 429, 502 or slowly: every note completes, nothing doubles."""

from __future__ import annotations

import asyncio
import logging
import random
from pathlib import Path

import pytest

from bot.fakeapi.chaos import Chaos, ChaoticBotApi
from bot.service.deps import Deps
from bot.telegram.runner import running_bot
from storage.service import Storage
from tests.reliability.conftest import TOKEN, database_files, failures, logged, register
from tests.reliability.scripted import ScriptedWorker, check_answers, find_leaks, stored_text

SEED = 20261124
WORKERS = 5
NOTES_EACH = 2


async def test_faulty_api_loses_and_doubles_nothing(
    storage: Storage, api: ChaoticBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rng = random.Random(SEED)
    ids = {7100 + i: await register(storage, 7100 + i) for i in range(WORKERS)}
    workers = [ScriptedWorker(api, uid, random.Random(rng.random())) for uid in ids]
    api.chaos = chaos = Chaos(rate=0.1, seed=SEED)

    async def notes(w: ScriptedWorker) -> None:
        for _ in range(NOTES_EACH):
            await w.complete_note(within=45)

    async with running_bot(TOKEN, api.base_url, Deps(storage), poll_timeout=1):
        await asyncio.gather(*(notes(w) for w in workers))
    api.chaos = None

    kinds = {status for method, status, _ in chaos.given if method == "sendMessage"}
    assert kinds == {429, 502, 200}, f"chaos did not reach every kind of fault: {kinds}"
    assert not failures(caplog), failures(caplog)
    for w in workers:
        assert not w.errors and not w.strays, (w.errors, w.strays)
        assert len(w.saves_acked) == NOTES_EACH
        notes_text, draft = await stored_text(storage, ids[w.user_id])
        assert len(notes_text) == NOTES_EACH
        check_answers(w, notes_text, draft)
        assert_one_reply_per_message(api, w.user_id)
    given = [a for w in workers for a in w.given]
    blobs = {**database_files(tmp_path), "log": logged(caplog)}
    assert not find_leaks(given, blobs)


def assert_one_reply_per_message(api: ChaoticBotApi, chat_id: int) -> None:
    """Each message the worker sent got exactly one message back: none lost, none doubled."""
    gaps: list[int] = []
    for m in api.messages[chat_id]:
        if not m.from_bot:
            gaps.append(0)
        elif gaps:
            gaps[-1] += 1
    assert gaps and all(g == 1 for g in gaps), gaps
