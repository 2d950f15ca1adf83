"""kill -9 at random points while a worker completes notes: after each restart every answer
the bot acknowledged is still there, and no note is saved twice."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from bot.fakeapi.chaos import ChaoticBotApi
from storage.crypto import KeyRing, write_key_ring
from storage.service import open_storage
from tests.reliability.conftest import TOKEN, database_files, register
from tests.reliability.process import BotProcess
from tests.reliability.scripted import (
    ScriptedWorker,
    Step,
    check_answers,
    find_leaks,
    stored_text,
)

SEED = 1124
KILLS = 10
USER = 7300


async def walk(w: ScriptedWorker, steps: int, to_answer: bool) -> Step:
    """Take ``steps`` steps, then (if ``to_answer``) on to the next typed answer or save:
    the step to kill the bot on, returned unsent."""
    for _ in range(steps + (30 if to_answer else 0)):
        step = w.next_step()
        if to_answer and steps <= 0 and (step.marker or step.text == "💾 Save note"):
            return step
        assert await w.act(within=20, step=step), f"no reply to {w.pending}"
        steps -= 1
    return w.next_step()


async def test_kill_9_loses_no_acknowledged_answer(api: ChaoticBotApi, tmp_path: Path) -> None:
    keys, url = tmp_path / "keys.json", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    write_key_ring(keys, KeyRing.generate(), overwrite=False)
    st = await open_storage(url, keys)
    try:
        worker_id = await register(st, USER)
    finally:
        await st.close()
    env = {
        "CASENOTES_TELEGRAM_TOKEN": TOKEN,
        "CASENOTES_TELEGRAM_API_URL": api.base_url,
        "CASENOTES_DATABASE_URL": url,
        "CASENOTES_KEYS_FILE": str(keys),
        "CASENOTES_LOG_LEVEL": "DEBUG",
    }
    log = tmp_path / "bot.log"
    bot = BotProcess(api, env, tmp_path, log)
    rng = random.Random(SEED)
    w = ScriptedWorker(api, USER, random.Random(SEED + 1))
    try:
        await bot.start()
        for _ in range(KILLS):
            step = await walk(w, rng.randint(0, 5), to_answer=rng.random() < 0.7)
            w.send(step)  # and kill while the bot takes it in, stores it, or replies
            await asyncio.sleep(rng.uniform(0, 0.12))
            assert await bot.kill() == -9
            w.settle()
            await bot.start()
            await w.wait_reply(0.5)  # an update it had not confirmed comes again
            assert await w.act(within=20, step=Step(text="/resume"))
        await w.complete_note(within=60)
        assert await bot.stop() == 0
    finally:
        bot.close()

    st = await open_storage(url, keys)
    try:
        notes, draft = await stored_text(st, worker_id)
    finally:
        await st.close()
    assert w.saves_acked and w.acked
    assert not w.errors and not w.strays, (w.errors, w.strays)
    check_answers(w, notes, draft)
    logs = log.read_bytes()
    assert b"handler failed" not in logs and b"Traceback" not in logs, logs.decode()[-3000:]
    assert not find_leaks(w.given, {**database_files(tmp_path), "bot.log": logs})
