"""Key rotation while the bot runs: workers mid-note notice nothing, and nothing becomes
unreadable (the bot follows the key file; no restart)."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.cli import rotate_keys
from bot.fakeapi import Call, FakeBotApi
from bot.service.deps import Deps
from bot.telegram.runner import run_until_signalled, running_bot
from storage.crypto import KeyRing, load_key_ring, write_key_ring
from storage.rotation import check_keys
from storage.service import Storage, open_storage
from tests.bot.conftest import TOKEN, FakeClock, invite
from tests.bot.harness import texts
from tests.reliability.conftest import database_files, failures, logged, register
from tests.reliability.scripted import ScriptedWorker, check_answers, find_leaks, stored_text

ERROR_REPLY = "didn't go through"
SEED = 20261124


def key_file(tmp_path: Path) -> tuple[Path, str]:
    keys = tmp_path / "keys.json"
    write_key_ring(keys, KeyRing.generate(), overwrite=False)
    return keys, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def test_rotation_while_a_worker_is_mid_note(
    tmp_path: Path,
    api: FakeBotApi,
    make_bot: Callable[[Storage], AbstractAsyncContextManager[object]],
) -> None:
    keys, url = key_file(tmp_path)
    first = load_key_ring(keys).primary
    st = await open_storage(url, keys)
    calls: list[Call] = []
    said: list[str] = []
    try:
        async with make_bot(st):
            w = await invite(st, api, 5001)
            await w.say("/new")
            await w.tap("Today")
            # `keys rotate`'s own code, while the worker keeps answering.
            rotation = asyncio.create_task(rotate_keys(url, keys, 200, said.append))
            calls += await w.say("9am")
            calls += await w.tap("30 min")
            await rotation
            assert not [t for t in texts(calls) if ERROR_REPLY in t], texts(calls)
            for step in ("Phone", "Skip"):
                calls += await w.tap(step)
            calls += await w.say("Jo")
            calls += await w.tap("Skip")
            calls += await w.tap("No")
            calls += await w.tap("💾 Save note")
            replies = texts(calls)
            assert not [t for t in replies if ERROR_REPLY in t], replies
            assert w.last().text.startswith("✅ Saved: J."), w.last().text
            assert "rotation complete; old keys are kept so backups stay readable" in said
    finally:
        await st.close()

    # Afterwards, with the key file alone (as after a restart): everything opens, the note
    # too, and nothing is left under the old key: the bot sealed with the new primary.
    ring = load_key_ring(keys)
    assert ring.primary != first and not ring.rotation_pending
    after = await open_storage(url, keys)
    try:
        report = await check_keys(after.sessions, after.ring)
        assert not report.failures and set(report.by_key) == {ring.primary}, report
        wid = (await after.workers.list())[0].id
        jo = (await after.participants.find_by_name(wid, "Jo"))[0]
        (note,) = await after.notes.for_participant(wid, jo.id)
        assert note.content["answers"]["start_time"] == "09:00"
    finally:
        await after.close()


async def test_sighup_makes_the_running_bot_reread_the_key_file(
    tmp_path: Path, api: FakeBotApi, clock: FakeClock
) -> None:
    keys, url = key_file(tmp_path)
    st = await open_storage(url, keys)
    running = asyncio.create_task(run_until_signalled(TOKEN, api.base_url, Deps(st, now=clock)))
    try:
        await invite(st, api, 5001)  # the bot is up and answering
        # Without a handler SIGHUP would end this test process: check before sending it.
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN)
        newer = load_key_ring(keys).with_new_primary()
        write_key_ring(keys, newer, overwrite=True)
        assert st.ring.primary != newer.primary  # an idle bot seals nothing, so looks at nothing
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(50):
            if st.ring.primary == newer.primary:
                break
            await asyncio.sleep(0.02)
        assert st.ring.primary == newer.primary and st.ring.rotation_pending
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(running, timeout=15)
        # Ends the fake server's pending long poll (up to 5 s) so the teardown is quick.
        api.user_message({"id": 9, "is_bot": False, "first_name": "Late"}, 9, "hello")
    finally:
        running.cancel()
        await st.close()


async def test_two_rotations_while_four_workers_take_notes(
    tmp_path: Path, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """The reliability scenario: nobody sees an error, nothing becomes unreadable."""
    caplog.set_level(logging.INFO)
    keys, url = key_file(tmp_path)
    st = await open_storage(url, keys)
    rng = random.Random(SEED)
    ids = {uid: await register(st, uid) for uid in range(7300, 7304)}
    workers = [ScriptedWorker(api, uid, random.Random(rng.random())) for uid in ids]
    said: list[str] = []

    async def notes(w: ScriptedWorker) -> None:
        for _ in range(2):
            await w.complete_note(within=90)

    async def rotations() -> None:
        for _ in range(2):
            await asyncio.sleep(0.7)  # workers are mid-note by then
            await rotate_keys(url, keys, 200, said.append)

    try:
        async with running_bot(TOKEN, api.base_url, Deps(st), poll_timeout=1):
            await asyncio.gather(rotations(), *(notes(w) for w in workers))
        assert said.count("rotation complete; old keys are kept so backups stay readable") == 2
        assert not failures(caplog), failures(caplog)
        for w in workers:
            assert not w.errors and not w.strays, (w.errors, w.strays)
            assert len(w.saves_acked) == 2
            check_answers(w, *await stored_text(st, ids[w.user_id]))
    finally:
        await st.close()

    ring = load_key_ring(keys)
    assert len(ring.keys) == 3 and not ring.rotation_pending
    after = await open_storage(url, keys)
    try:
        report = await check_keys(after.sessions, after.ring)
    finally:
        await after.close()
    assert not report.failures and set(report.by_key) == {ring.primary}, report
    given = [a for w in workers for a in w.given]
    assert not find_leaks(given, {**database_files(tmp_path), "log": logged(caplog)})
